using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PollyBaselines;
using PollyPipeline = Polly.ResiliencePipeline;

namespace Resilience.Benchmarks;

/// <summary>
/// The rate-limiter strategy against Polly.RateLimiting over the same kind of limiter: a success path that never
/// rejects, and a limiter with no permit left and no queue, refused as an outcome and as a thrown exception.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RateLimiterBenchmark
{
    private readonly List<IDisposable> _disposables = [];
    private RateLimiter _raw = null!;
    private ResiliencePipeline _open = null!;
    private ResiliencePipeline _exhausted = null!;
    private ResiliencePipeline _tokenBucket = null!;
    private ResiliencePipeline _callerBuiltTokenBucket = null!;
    private RateLimiter _rawTokenBucket = null!;
    private ResiliencePipeline _passThrough = null!;
    private ResiliencePipeline _permitCounting = null!;
    private PollyPipeline _pollyTokenBucket = null!;
    private PollyPipeline _pollyOpen = null!;
    private PollyPipeline _pollyExhausted = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Each pipeline gets its own limiter instance, configured the same way for both libraries. Ours come from the
        // builder's convenience methods (as Polly's AddConcurrencyLimiter builds its limiter), which know the limiter
        // has no queue; the caller-built row shows a limiter handed in, which the strategy must ask asynchronously.
        _raw = Track(NeverRejecting());
        _open = new ResiliencePipelineBuilder().AddConcurrencyLimiter(permitLimit: 1_000, queueLimit: 0).Build();
        _exhausted = new ResiliencePipelineBuilder().AddRateLimiter(Exhausted()).Build();
        _rawTokenBucket = Track(Plentiful());
        _passThrough = new ResiliencePipelineBuilder().AddStrategy(static _ => new PassThroughStrategy()).Build();
        _permitCounting = new ResiliencePipelineBuilder().AddStrategy(static _ => new PermitCountingStrategy(1_000)).Build();
        _tokenBucket = new ResiliencePipelineBuilder().AddTokenBucketLimiter(int.MaxValue, int.MaxValue, TimeSpan.FromSeconds(1), queueLimit: 0).Build();
        _callerBuiltTokenBucket = new ResiliencePipelineBuilder().AddRateLimiter(Track(Plentiful())).Build();
        _pollyTokenBucket = PollyCorePipelines.RateLimited(Track(Plentiful()));
        _pollyOpen = PollyCorePipelines.RateLimited(Track(NeverRejecting()));
        _pollyExhausted = PollyCorePipelines.RateLimited(Exhausted());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Leases first, then their limiters (added in that order per limiter, so reverse order works).
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            _disposables[i].Dispose();
        }

        _disposables.Clear();
    }

    /// <summary>The floor: the limiter's own acquire and release, which both libraries pay.</summary>
    [Benchmark, BenchmarkCategory("Success")]
    public bool RawLimiter_AttemptAcquire()
    {
        using var lease = _raw.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    [Benchmark, BenchmarkCategory("Success")]
    public ValueTask<int> Success_Resilience() => _open.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    /// <summary>
    /// A measurement, not a product: what an own permit-counting adapter in place of the <c>ConcurrencyLimiter</c> would
    /// cost (one interlocked step to enter and one to leave, no lease) — the bulkhead's uncontended path.
    /// </summary>
    [Benchmark, BenchmarkCategory("Success")]
    public ValueTask<int> PermitCountingAdapter_Resilience() => _permitCounting.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark(Baseline = true), BenchmarkCategory("Success")]
    public ValueTask<int> Success_Polly() => _pollyOpen.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    /// <summary>The floor of the token-bucket rows: the limiter's own acquire and release.</summary>
    [Benchmark, BenchmarkCategory("TokenBucket")]
    public bool RawTokenBucket_AttemptAcquire()
    {
        using var lease = _rawTokenBucket.AttemptAcquire(1);
        return lease.IsAcquired;
    }

    /// <summary>
    /// The pipeline's own floor: one strategy that only calls on (no limiter). The strategy's own overhead over the raw
    /// limiter is TokenBucket_Resilience - RawTokenBucket_AttemptAcquire - PassThroughPipeline_Resilience.
    /// </summary>
    [Benchmark, BenchmarkCategory("TokenBucket")]
    public ValueTask<int> PassThroughPipeline_Resilience() => _passThrough.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark, BenchmarkCategory("TokenBucket")]
    public ValueTask<int> TokenBucket_Resilience() => _tokenBucket.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark, BenchmarkCategory("TokenBucket")]
    public ValueTask<int> CallerBuiltTokenBucket_Resilience() => _callerBuiltTokenBucket.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark(Baseline = true), BenchmarkCategory("TokenBucket")]
    public ValueTask<int> TokenBucket_Polly() => _pollyTokenBucket.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42);

    [Benchmark, BenchmarkCategory("RejectedOutcome")]
    public async ValueTask<bool> RejectedOutcome_Resilience() => (await _exhausted.ExecuteOutcomeAsync(static (s, _) => new ValueTask<int>(s), 42)).HasResult;

    [Benchmark(Baseline = true), BenchmarkCategory("RejectedOutcome")]
    public async ValueTask<bool> RejectedOutcome_Polly()
    {
        var context = Polly.ResilienceContextPool.Shared.Get();
        var outcome = await _pollyExhausted.ExecuteOutcomeAsync(static (_, s) => Polly.Outcome.FromResultAsValueTask(s), context, 42);
        Polly.ResilienceContextPool.Shared.Return(context);
        return outcome.Exception is null;
    }

    [Benchmark, BenchmarkCategory("RejectedThrown")]
    public async ValueTask<bool> RejectedThrown_Resilience()
    {
        try
        {
            return await _exhausted.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42) > 0;
        }
        catch (Resilience.RateLimiting.RateLimiterRejectedException)
        {
            return false;
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("RejectedThrown")]
    public async ValueTask<bool> RejectedThrown_Polly()
    {
        try
        {
            return await _pollyExhausted.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42) > 0;
        }
        catch (Polly.RateLimiting.RateLimiterRejectedException)
        {
            return false;
        }
    }

    /// <summary>A concurrency limiter with far more permits than a benchmark ever holds at once, and no queue: it never rejects and never depletes.</summary>
    internal static ConcurrencyLimiter NeverRejecting() => new(new ConcurrencyLimiterOptions { PermitLimit = 1_000, QueueLimit = 0 });

    /// <summary>
    /// A token bucket that cannot run dry within a benchmark (refilled to two billion tokens every second): the rate
    /// limiting case proper, whose successful leases carry no state to release.
    /// </summary>
    private static TokenBucketRateLimiter Plentiful() => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = int.MaxValue,
        TokensPerPeriod = int.MaxValue,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    });

    /// <summary>A concurrency limiter of one permit, already held until cleanup, and no queue: every call is refused at once.</summary>
    private ConcurrencyLimiter Exhausted()
    {
        var limiter = Track(new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 }));
        var held = Track(limiter.AttemptAcquire(1));
        if (!held.IsAcquired)
        {
            throw new InvalidOperationException("The limiter's only permit could not be taken.");
        }

        return limiter;
    }

    private sealed class PassThroughStrategy : ResilienceStrategy
    {
        protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
            => callback(context, state);
    }

    // The sketch of the adapter measured above: synchronous completions only (what the benchmark's callback does).
    private sealed class PermitCountingStrategy(int permits) : ResilienceStrategy
    {
        private int _available = permits;

        protected internal override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
        {
            if (Interlocked.Decrement(ref _available) < 0)
            {
                Interlocked.Increment(ref _available);
                return Outcome.FromExceptionAsValueTask<TResult>(new InvalidOperationException("No permit."));
            }

            var pending = callback(context, state);
            Interlocked.Increment(ref _available);
            return pending;
        }
    }

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}
