using BenchmarkDotNet.Attributes;

namespace Resilience.Benchmarks;

/// <summary>
/// Reference rows: what a developer would write by hand instead of a strategy, for the success path of the same
/// callback the strategy rows run (<c>static (s, _) =&gt; new ValueTask&lt;int&gt;(s)</c>). Issue 24 asks each strategy
/// to stay within 3x its hand-written equivalent.
/// </summary>
public class HandWrittenBenchmark
{
    private static readonly Func<int, CancellationToken, ValueTask<int>> Work = static (s, _) => new ValueTask<int>(s);

    [Benchmark(Baseline = true)]
    public ValueTask<int> DirectCall() => Work(42, CancellationToken.None);

    /// <summary>A timeout by hand: a token source per call that cancels after the timeout.</summary>
    [Benchmark]
    public async ValueTask<int> Timeout_CancellationTokenSource()
    {
        using var source = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await Work(42, source.Token).ConfigureAwait(false);
    }

    /// <summary>A retry by hand: a loop with a catch for the handled exception.</summary>
    [Benchmark]
    public async ValueTask<int> Retry_Loop()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await Work(42, CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>A fallback by hand: a catch that returns the fallback value.</summary>
    [Benchmark]
    public async ValueTask<int> Fallback_Catch()
    {
        try
        {
            return await Work(42, CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }
}
