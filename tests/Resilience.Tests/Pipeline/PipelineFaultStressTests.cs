using Microsoft.Extensions.Time.Testing;
using Resilience.Bulkhead;
using Resilience.CircuitBreaker;
using Resilience.Retry;
using Resilience.Timeout;

namespace Resilience.Tests.Pipeline;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PipelineFaultStressGroup
{
    // Alone: the check counts pooled contexts process-wide.
    public const string Name = "PipelineFaultStress";
}

/// <summary>
/// Issue 16 acceptance: 16 threads push random faults (synchronous and asynchronous throws from the work and from an
/// inner strategy, throwing user callbacks, hung work, caller cancellations) through a builder-made
/// retry → breaker → bulkhead → timeout pipeline, with a contract-breaking strategy around and under each of them. Afterwards nothing is held (bulkhead slot or queue place, probe
/// permit, timeout slot, pooled context) and the breaker leaves half-open once the clock passes the break.
/// </summary>
[Collection(PipelineFaultStressGroup.Name)]
public class PipelineFaultStressTests
{
    private const int Threads = 16;
    private const int CallsPerThread = 400;

    private readonly FakeTimeProvider _time = new();
    private volatile bool _faults = true;
    private int _halfOpened;

    [Fact]
    public async Task RandomFaultsFromManyThreads_NothingIsLeftHeldAndTheBreakerRecovers()
    {
        var breakerState = new CircuitBreakerStateProvider();
        var inner = new FaultyStrategy(this);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddStrategy(_ => inner)
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                BackoffType = BackoffType.Constant,
                BaseDelay = TimeSpan.FromMilliseconds(1),
                ShouldHandle = o => Chance(2) ? throw new FormatException("ShouldHandle bug") : o.Exception is IOException or TimeoutRejectedException,
                DelayGenerator = _ => Chance(3) ? throw new FormatException("DelayGenerator bug") : new ValueTask<TimeSpan?>((TimeSpan?)null),
                OnRetry = _ => Chance(3) ? throw new FormatException("OnRetry bug") : default,
            })
            .AddStrategy(_ => inner)
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                SamplingWindow = SamplingWindow.CountBased,
                WindowSize = 20,
                MinimumThroughput = 10,
                FailureRatio = 0.5,
                BreakDuration = TimeSpan.FromMilliseconds(5),
                PermittedCallsInHalfOpen = 3,
                SuccessThresholdInHalfOpen = 2,
                MaxWaitInHalfOpen = null,
                StateProvider = breakerState,
                ShouldHandle = o => Chance(2) ? throw new FormatException("breaker ShouldHandle bug") : o.Exception is not null,
                OnOpened = _ => Chance(5) ? throw new FormatException("OnOpened bug") : default,
                OnHalfOpened = async _ =>
                {
                    Interlocked.Increment(ref _halfOpened);
                    if (Chance(10))
                    {
                        await Task.Yield();
                        throw new FormatException("OnHalfOpened bug");
                    }
                },
                OnClosed = _ => Chance(5) ? throw new FormatException("OnClosed bug") : default,
            })
            .AddStrategy(_ => inner)
            .AddBulkhead(new BulkheadStrategyOptions
            {
                MaxConcurrency = 4,
                MaxQueueLength = 6,
                QueueTimeout = TimeSpan.FromMilliseconds(40),
                OnRejected = _ => Chance(5) ? throw new FormatException("OnRejected bug") : default,
            })
            .AddStrategy(_ => inner)
            .AddTimeout(new TimeoutStrategyOptions
            {
                Timeout = TimeSpan.FromMilliseconds(30),
                OnTimeout = _ => Chance(5) ? throw new FormatException("OnTimeout bug") : default,
            })
            .AddStrategy(_ => inner)
            .Build();
        var breaker = pipeline.Strategies.OfType<Resilience.CircuitBreaker.CircuitBreakerStrategy<object>>().Single().Controller;
        var bulkhead = pipeline.Strategies.OfType<Resilience.Bulkhead.BulkheadStrategy>().Single().Limiter;
        var timeoutSlots = pipeline.Strategies.OfType<TimeoutStrategy>().Single().Pool;

        ResilienceContextPool.TrackOutstanding = true;
        try
        {
            await RunStormAsync(pipeline);

            _halfOpened.Should().BeGreaterThan(5, "the storm must exercise half-open probes");
            bulkhead.InUse.Should().Be(0, "every bulkhead slot came back");
            bulkhead.Queued.Should().Be(0, "no waiter is left in the queue");
            breaker.ProbesInFlight.Should().Be(0, "every probe permit was recorded or released");
            timeoutSlots.SlotsInUse.Should().Be(0, "every timeout slot came back");
            ResilienceContextPool.Outstanding.Should().Be(0, "every pooled context came back");
        }
        finally
        {
            ResilienceContextPool.TrackOutstanding = false;
        }

        // With the faults off, the breaker must find its way back to closed once the clock passes the break:
        // a probe that had leaked would keep it half-open (MaxWaitInHalfOpen is off) and reject every call.
        _faults = false;
        for (var i = 0; i < 5 && breakerState.State != CircuitState.Closed; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);
        }

        breakerState.State.Should().Be(CircuitState.Closed);
        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(42))).Should().Be(42);
    }

    private bool Chance(int percent) => _faults && Random.Shared.Next(100) < percent;

    private async Task RunStormAsync(ResiliencePipeline pipeline)
    {
        using var stop = new CancellationTokenSource();
        var clock = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    _time.Advance(TimeSpan.FromMilliseconds(1));
                    Thread.Yield();
                }
            },
            TaskCreationOptions.LongRunning);

        var callers = Enumerable.Range(0, Threads).Select(thread => Task.Factory.StartNew(
            () => Caller(pipeline, thread),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()).ToArray();
        var all = Task.WhenAll(callers);
        var finished = await Task.WhenAny(all, Task.Delay(TimeSpan.FromMinutes(3)));
        await stop.CancelAsync();
        await clock;
        finished.Should().BeSameAs(all, "no call may hang once its timeouts have passed on the moving clock");
        await all;
    }

    private async Task Caller(ResiliencePipeline pipeline, int thread)
    {
        var random = new Random(thread);
        for (var i = 0; i < CallsPerThread; i++)
        {
            // Off whatever thread resumed us: a continuation may run on the clock thread inside Advance, and a
            // synchronous Execute there would block the clock it waits for.
            await Task.Yield();

            using var cts = random.Next(10) switch
            {
                0 => new CancellationTokenSource(),
                1 => new CancellationTokenSource(TimeSpan.FromMilliseconds(random.Next(1, 20)), _time),
                _ => null,
            };
            if (cts is not null && random.Next(2) == 0)
            {
                await cts.CancelAsync();
            }

            var token = cts?.Token ?? CancellationToken.None;
            var work = random.Next(6);
#pragma warning disable CA1031 // Any failure is fine here; the test checks what is left held afterwards.
            try
            {
                if (random.Next(4) == 0)
                {
                    // The synchronous API: built-in strategies wait on the calling thread.
                    pipeline.Execute(static (w, ct) => SyncWork(w, ct), work, token);
                }
                else
                {
                    await pipeline.ExecuteAsync(static (w, ct) => AsyncWork(w, ct), work, token);
                }
            }
            catch (Exception)
            {
            }
#pragma warning restore CA1031

            if (i % 2 == 0)
            {
                // Paced by the fake clock, so the breaker's breaks pass and it half-opens many times during the storm.
                await Task.Delay(TimeSpan.FromMilliseconds(1), _time).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }
        }
    }

    private static int SyncWork(int work, CancellationToken ct)
    {
        switch (work)
        {
            case 0:
            case 1:
                throw new IOException("sync failure");
            case 2:
                // Hung work that honours its token: the timeout (or the caller) ends it.
                ct.WaitHandle.WaitOne();
                ct.ThrowIfCancellationRequested();
                return 0;
            default:
                return work;
        }
    }

    private static async ValueTask<int> AsyncWork(int work, CancellationToken ct)
    {
        switch (work)
        {
            case 0:
                throw new IOException("sync throw from an async callback");
            case 1:
                await Task.Yield();
                throw new IOException("async failure");
            case 2:
                await Task.Delay(System.Threading.Timeout.Infinite, ct);
                return 0;
            case 3:
                await Task.Yield();
                return work;
            default:
                return work;
        }
    }

    /// <summary>The innermost strategy: now and then it breaks the never-throw contract, synchronously or through its task.</summary>
    private sealed class FaultyStrategy(PipelineFaultStressTests owner) : ResilienceStrategy
    {
        protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
            Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
            ResilienceContext context,
            TState state)
        {
            if (owner._faults)
            {
                var roll = Random.Shared.Next(100);
                if (roll < 2)
                {
                    throw new OverflowException("inner strategy bug");
                }

                if (roll < 4)
                {
                    return ValueTask.FromException<Outcome<TResult>>(new OverflowException("inner strategy faulted task"));
                }
            }

            return callback(context, state);
        }
    }
}
