namespace Resilience.Tests.Hedging;

/// <summary>
/// The work of a hedged call, scripted per attempt: each attempt signals that it started, records its token and
/// context, and ends when the test completes its result (or, if it honours cancellation, when its token is cancelled).
/// </summary>
internal sealed class ScriptedAttempts<T>
{
    private readonly TaskCompletionSource[] _started;
    private readonly TaskCompletionSource<T>[] _results;
    private int _count;

    public ScriptedAttempts(int capacity, bool honourCancellation = true)
    {
        _started = [.. Enumerable.Range(0, capacity).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        _results = [.. Enumerable.Range(0, capacity).Select(_ => new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously))];
        Tokens = new CancellationToken[capacity];
        HonourCancellation = honourCancellation;
    }

    public bool HonourCancellation { get; }

    public int Count => Volatile.Read(ref _count);

    public CancellationToken[] Tokens { get; }

    public Task Started(int attempt) => _started[attempt].Task.WaitAsync(TimeSpan.FromSeconds(10));

    public void Succeed(int attempt, T result) => _results[attempt].SetResult(result);

    public void Fail(int attempt, Exception exception) => _results[attempt].SetException(exception);

    public async ValueTask<T> RunAsync(CancellationToken token)
    {
        var attempt = Interlocked.Increment(ref _count) - 1;
        Tokens[attempt] = token;
        _started[attempt].SetResult();
        var result = _results[attempt].Task;
        return HonourCancellation ? await result.WaitAsync(token) : await result;
    }
}
