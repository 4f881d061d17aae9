namespace Resilience.Benchmarks;

/// <summary>
/// Splits a fixed number of operations between concurrent callers, one thread each, for the contention benchmarks
/// (which declare <c>OperationsPerInvoke = ContentionRunner.Operations</c> so results are per call).
/// </summary>
internal static class ContentionRunner
{
    public const int Operations = 16_000;

    public static void Run<TState>(int callers, TState state, Action<TState, int> callsPerCaller) =>
        Parallel.For(0, callers, new ParallelOptions { MaxDegreeOfParallelism = callers }, _ => callsPerCaller(state, Operations / callers));
}
