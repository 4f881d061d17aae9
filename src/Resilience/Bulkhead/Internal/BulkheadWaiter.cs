namespace Resilience.Bulkhead.Internal;

/// <summary>
/// One call waiting in a bulkhead's queue. Whoever removes it from the queue (under the limiter's lock) owns its
/// completion: the releaser granting a slot, its timeout, or its caller's cancellation — so it completes exactly once.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The synchronous waiter disposes its event once it has been signalled, in Wait.")]
internal sealed class BulkheadWaiter
{
    public const int Pending = 0;
    public const int Granted = 1;
    public const int TimedOut = 2;
    public const int Cancelled = 3;

    private readonly TaskCompletionSource<int>? _completion;
    private readonly ManualResetEventSlim? _signal;
    private CancellationTokenRegistration _registration;
    private ITimer? _timer;
    private int _state;

    public BulkheadWaiter(bool synchronous)
    {
        if (synchronous)
        {
            _signal = new ManualResetEventSlim(initialState: false);
        }
        else
        {
            _completion = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public LinkedListNode<BulkheadWaiter>? Node { get; set; }

    public int State => Volatile.Read(ref _state);

    public void Arm(BulkheadLimiter limiter, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.UnsafeRegister(static s => ((BulkheadLimiter)((object[])s!)[0]).Abandon((BulkheadWaiter)((object[])s!)[1], Cancelled), new object[] { limiter, this });
        }

        if (timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            var timer = time.CreateTimer(static s => ((BulkheadLimiter)((object[])s!)[0]).Abandon((BulkheadWaiter)((object[])s!)[1], TimedOut), new object[] { limiter, this }, timeout, System.Threading.Timeout.InfiniteTimeSpan);
            Interlocked.Exchange(ref _timer, timer);
            if (State != Pending)
            {
                // Completed while the timer was being created: nothing will dispose it otherwise.
                timer.Dispose();
            }
        }
    }

    public void Complete(int state)
    {
        Interlocked.Exchange(ref _state, state);
        _registration.Dispose();
        Volatile.Read(ref _timer)?.Dispose();
        if (_completion is not null)
        {
            _completion.TrySetResult(state);
        }
        else
        {
            _signal!.Set();
        }
    }

    public Task<int> WaitAsync() => _completion!.Task;

    public int Wait()
    {
        _signal!.Wait();
        _signal.Dispose();
        return State;
    }
}
