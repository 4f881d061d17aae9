using System.Threading.Tasks.Sources;

namespace Resilience.Bulkhead.Internal;

/// <summary>
/// One call waiting in a bulkhead's queue. Whoever removes it from the queue (under the limiter's lock) owns its
/// completion: the releaser granting a slot, its timeout, or its caller's cancellation — so it completes exactly once.
/// The waiting caller owns its cancellation registration and releases it when it wakes; the queue timeout is the
/// limiter's single timer, not the waiter's.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The synchronous waiter disposes its event once it has been signalled, in Wait.")]
internal sealed class BulkheadWaiter : IValueTaskSource<int>
{
    /// <summary>Queued, not completed yet.</summary>
    public const int Waiting = 0;

    /// <summary>Given a slot.</summary>
    public const int Granted = 1;

    /// <summary>Left the queue when the queue timeout expired.</summary>
    public const int TimedOut = 2;

    /// <summary>Left the queue when the caller's token was cancelled.</summary>
    public const int Cancelled = 3;

    /// <summary>Never queued: every slot busy and the queue full (only <see cref="BulkheadLimiter.AcquireOrEnqueue"/> reports it).</summary>
    public const int QueueFull = 4;

    private readonly ManualResetEventSlim? _signal;

    // The asynchronous waiter is its own awaitable: no TaskCompletionSource, task or state machine per queued call.
    private ManualResetValueTaskSourceCore<int> _completion;
    private CancellationTokenRegistration _registration;
    private BulkheadLimiter? _limiter;
    private int _state;

    public BulkheadWaiter(bool synchronous)
    {
        if (synchronous)
        {
            _signal = new ManualResetEventSlim(initialState: false);
        }
        else
        {
            // The releaser completes waiters while draining the queue; the woken call must not run on its stack.
            _completion.RunContinuationsAsynchronously = true;
        }
    }

    public LinkedListNode<BulkheadWaiter>? Node { get; set; }

    public int State => Volatile.Read(ref _state);

    /// <summary>Gets or sets when the waiter times out, in the limiter's <see cref="TimeProvider"/> timestamps.</summary>
    public long Deadline { get; set; }

    public void Arm(BulkheadLimiter limiter, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _limiter = limiter;
            _registration = cancellationToken.UnsafeRegister(static s => ((BulkheadWaiter)s!).OnCancelled(), this);
        }
    }

    private void OnCancelled() => _limiter!.Abandon(this, Cancelled);

    public void Complete(int state)
    {
        Interlocked.Exchange(ref _state, state);
        if (_signal is null)
        {
            _completion.SetResult(state);
        }
        else
        {
            _signal.Set();
        }
    }

    /// <summary>Waits for the completion; to be awaited exactly once.</summary>
    public ValueTask<int> WaitAsync() => new(this, _completion.Version);

    int IValueTaskSource<int>.GetResult(short token)
    {
        var state = _completion.GetResult(token);
        ReleaseResources();
        return state;
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    public int Wait()
    {
        _signal!.Wait();
        _signal.Dispose();
        ReleaseResources();
        return State;
    }

    // The waiting caller (the only owner of the registration) releases it once woken, whoever woke it; a
    // registration made after the waiter was already granted is released here too.
    private void ReleaseResources() => _registration.Dispose();
}
