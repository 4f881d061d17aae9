using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Resilience.CacheFallback;
using Resilience.CircuitBreaker;

namespace Resilience.Tests.CacheFallback;

public sealed class CacheFallbackStrategyTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly MemoryCache _memory = new(Options.Create(new MemoryCacheOptions()));

    public void Dispose() => _memory.Dispose();

    [Fact]
    public async Task FailureAfterSuccess_ServesTheLastGoodResult_AndSaysHowOld()
    {
        var served = new List<(string Key, TimeSpan Age, string? Error)>();
        var pipeline = Build(o => o.OnServedFromCache = args =>
        {
            served.Add((args.Key, args.Age, args.Failure.Exception?.Message));
            return default;
        });

        (await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m))).Should().Be(new Quote("EUR", 1.08m));
        _time.Advance(TimeSpan.FromMinutes(2));
        var context = ResilienceContextPool.Shared.Get("quote:EUR");
        var stale = await pipeline.ExecuteAsync(static (_, _) => throw new HttpRequestException("rates API down"), context, 0);

        stale.Should().Be(new Quote("EUR", 1.08m));
        context.Properties.TryGetValue(CacheFallbackProperties.ServedFromCacheAge, out var age).Should().BeTrue();
        age.Should().Be(TimeSpan.FromMinutes(2));
        served.Should().Equal(("quote:EUR", TimeSpan.FromMinutes(2), "rates API down"));
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task FreshResult_HasNoServedFromCacheProperty()
    {
        var pipeline = Build();
        var context = ResilienceContextPool.Shared.Get("quote:EUR");

        await pipeline.ExecuteAsync(static (_, _) => new ValueTask<Quote>(new Quote("EUR", 1m)), context, 0);

        context.Properties.TryGetValue(CacheFallbackProperties.ServedFromCacheAge, out _).Should().BeFalse();
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task ResultOlderThanMaxStaleness_IsNotServed_TheFailureStands()
    {
        var pipeline = Build(o => o.MaxStaleness = TimeSpan.FromMinutes(5));
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));

        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromTicks(1));
        var act = () => RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"));

        await act.Should().ThrowAsync<HttpRequestException>().WithMessage("down");
    }

    [Fact]
    public async Task ResultExactlyMaxStalenessOld_IsServed()
    {
        var pipeline = Build(o => o.MaxStaleness = TimeSpan.FromMinutes(5));
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));

        _time.Advance(TimeSpan.FromMinutes(5));

        (await RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"))).Rate.Should().Be(1.08m);
    }

    [Fact]
    public async Task NothingStored_TheFailureStands()
    {
        var pipeline = Build();

        var act = () => RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"));

        await act.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task KeysAreIsolated()
    {
        var pipeline = Build();
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));
        await RunAsync(pipeline, "quote:GBP", () => new Quote("GBP", 0.85m));

        (await RunAsync(pipeline, "quote:GBP", () => throw new HttpRequestException("down"))).Should().Be(new Quote("GBP", 0.85m));
        (await RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"))).Should().Be(new Quote("EUR", 1.08m));
    }

    [Fact]
    public async Task NoKey_PassesThrough_NothingStoredOrServed()
    {
        var store = new RecordingStore();
        var pipeline = Build(o => o.Store = store);

        (await pipeline.ExecuteAsync(static _ => new ValueTask<Quote>(new Quote("EUR", 1m)))).Rate.Should().Be(1m);
        var act = async () => await pipeline.ExecuteAsync(static _ => throw new HttpRequestException("down"));

        await act.Should().ThrowAsync<HttpRequestException>();
        store.Reads.Should().Be(0);
        store.Writes.Should().Be(0);
    }

    [Fact]
    public async Task KeySelector_ChoosesTheKey()
    {
        var pipeline = Build(o => o.KeySelector = static context => context.Properties.TryGetValue(new ResiliencePropertyKey<string>("currency"), out var c) ? "quote:" + c : null);
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(new ResiliencePropertyKey<string>("currency"), "EUR");
        await pipeline.ExecuteAsync(static (_, _) => new ValueTask<Quote>(new Quote("EUR", 1.08m)), context, 0);

        (await pipeline.ExecuteAsync(static (_, _) => throw new HttpRequestException("down"), context, 0)).Rate.Should().Be(1.08m);
        _memory.TryGetValue("resilience:last-known-good:quote:EUR", out _).Should().BeTrue("entries carry the prefix");
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task HandledResult_IsReplaced_AndNeverStored()
    {
        var pipeline = Build(o => o.ShouldHandle = Handle<Quote>.Exception<HttpRequestException>().OrResult(q => q.Rate <= 0));
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));

        (await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 0m))).Rate.Should().Be(1.08m);
        _time.Advance(TimeSpan.FromSeconds(1));
        (await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", -1m))).Rate.Should().Be(1.08m, "the handled result was not stored over the good one");
    }

    [Fact]
    public async Task ShouldStore_False_KeepsThePreviousGoodResult()
    {
        var pipeline = Build(o => o.ShouldStore = static q => q.Rate < 10m);
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 99m));

        (await RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"))).Rate.Should().Be(1.08m);
    }

    [Fact]
    public async Task UnhandledException_IsNotReplaced()
    {
        var pipeline = Build(o => o.ShouldHandle = Handle<Quote>.Exception<HttpRequestException>());
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));

        var act = () => RunAsync(pipeline, "quote:EUR", () => throw new InvalidOperationException("bug"));

        await act.Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task CallerCancellation_IsNeverReplaced()
    {
        var pipeline = Build();
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var context = ResilienceContextPool.Shared.Get("quote:EUR", cts.Token);

        var act = async () => await pipeline.ExecuteAsync(static (c, _) => throw new OperationCanceledException(c.CancellationToken), context, 0);

        await act.Should().ThrowAsync<OperationCanceledException>();
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task OpenCircuit_IsServedFromTheCache()
    {
        var pipeline = new ResiliencePipelineBuilder<Quote> { TimeProvider = _time }
            .AddCacheFallback(new CacheFallbackStrategyOptions<Quote> { Store = CacheFallbackStore.FromMemoryCache<Quote>(_memory) })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<Quote> { ConsecutiveFailureThreshold = 1, BreakDuration = TimeSpan.FromMinutes(1) })
            .Build();
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));
        await RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"));

        var calls = 0;
        var result = await RunAsync(pipeline, "quote:EUR", () => { calls++; return new Quote("EUR", 2m); });

        result.Rate.Should().Be(1.08m);
        calls.Should().Be(0, "the open circuit rejected the call and the rejection was replaced");
    }

    [Fact]
    public async Task StoreThatCannotWrite_DoesNotFailASuccessfulCall()
    {
        var pipeline = Build(o => o.Store = new RecordingStore { FailWrites = true });

        (await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m))).Rate.Should().Be(1.08m);
    }

    [Fact]
    public async Task StoreThatCannotRead_LeavesTheFailureAsItIs()
    {
        var pipeline = Build(o => o.Store = new RecordingStore { FailReads = true });
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));

        var act = () => RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"));

        await act.Should().ThrowAsync<HttpRequestException>().WithMessage("down");
    }

    [Fact]
    public async Task AsynchronousWork_IsStoredAndServed()
    {
        var pipeline = Build();
        var context = ResilienceContextPool.Shared.Get("quote:EUR");
        await pipeline.ExecuteAsync(static async (_, _) => { await Task.Yield(); return new Quote("EUR", 1.08m); }, context, 0);

        var result = await pipeline.ExecuteAsync(static async (_, _) => { await Task.Yield(); throw new HttpRequestException("down"); }, context, 0);

        result.Rate.Should().Be(1.08m);
        ResilienceContextPool.Shared.Return(context);
    }

    [Fact]
    public async Task ThrowingOnServedFromCache_BecomesTheOutcome()
    {
        var pipeline = Build(o => o.OnServedFromCache = static _ => throw new InvalidOperationException("callback bug"));
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));

        var act = () => RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("callback bug");
    }

    [Fact]
    public async Task DistributedCache_RoundTripsTheResultAndItsAge()
    {
        var distributed = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var pipeline = Build(o => o.Store = CacheFallbackStore.FromDistributedCache(distributed, CacheFallbackJson.Default.Quote));
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));
        _time.Advance(TimeSpan.FromMinutes(1));
        TimeSpan age = default;
        var reading = Build(o =>
        {
            o.Store = CacheFallbackStore.FromDistributedCache(distributed, CacheFallbackJson.Default.Quote);
            o.OnServedFromCache = args => { age = args.Age; return default; };
        });

        (await RunAsync(reading, "quote:EUR", () => throw new HttpRequestException("down"))).Should().Be(new Quote("EUR", 1.08m));
        age.Should().Be(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task DistributedCache_UndecodableEntry_CountsAsAbsent()
    {
        var distributed = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        await distributed.SetAsync("resilience:last-known-good:quote:EUR", [1, 0, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x']);
        var pipeline = Build(o => o.Store = CacheFallbackStore.FromDistributedCache(distributed, CacheFallbackJson.Default.Quote));

        var act = () => RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"));

        await act.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public void Options_AreValidatedNamingTheOption()
    {
        var builder = new ResiliencePipelineBuilder<Quote>();

        FluentActions.Invoking(() => builder.AddCacheFallback(new CacheFallbackStrategyOptions<Quote>()))
            .Should().Throw<ArgumentNullException>().WithParameterName("CacheFallbackStrategyOptions.Store");
        FluentActions.Invoking(() => builder.AddCacheFallback(new CacheFallbackStrategyOptions<Quote> { Store = new RecordingStore(), MaxStaleness = TimeSpan.Zero }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("CacheFallbackStrategyOptions.MaxStaleness");
        FluentActions.Invoking(() => builder.AddCacheFallback(new CacheFallbackStrategyOptions<Quote> { Store = new RecordingStore(), MaxStaleness = TimeSpan.FromDays(366) }))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("CacheFallbackStrategyOptions.MaxStaleness");
        FluentActions.Invoking(() => builder.AddCacheFallback(new CacheFallbackStrategyOptions<Quote> { Store = new RecordingStore(), KeySelector = null! }))
            .Should().Throw<ArgumentNullException>().WithParameterName("CacheFallbackStrategyOptions.KeySelector");
    }

    [Fact]
    public async Task OptionsChangedAfterAdd_DoNotChangeThePipeline()
    {
        var options = new CacheFallbackStrategyOptions<Quote> { Store = CacheFallbackStore.FromMemoryCache<Quote>(_memory), MaxStaleness = TimeSpan.FromMinutes(5) };
        var pipeline = new ResiliencePipelineBuilder<Quote> { TimeProvider = _time }.AddCacheFallback(options).Build();
        options.MaxStaleness = TimeSpan.FromSeconds(1);
        await RunAsync(pipeline, "quote:EUR", () => new Quote("EUR", 1.08m));
        _time.Advance(TimeSpan.FromMinutes(1));

        (await RunAsync(pipeline, "quote:EUR", () => throw new HttpRequestException("down"))).Rate.Should().Be(1.08m);
    }

    private static async Task<Quote> RunAsync(ResiliencePipeline<Quote> pipeline, string key, Func<Quote> work)
    {
        var context = ResilienceContextPool.Shared.Get(key);
        try
        {
            return await pipeline.ExecuteAsync(static (_, w) => new ValueTask<Quote>(w()), context, work);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline<Quote> Build(Action<CacheFallbackStrategyOptions<Quote>>? configure = null)
    {
        var options = new CacheFallbackStrategyOptions<Quote> { Store = CacheFallbackStore.FromMemoryCache<Quote>(_memory) };
        configure?.Invoke(options);
        return new ResiliencePipelineBuilder<Quote> { TimeProvider = _time }.AddCacheFallback(options).Build();
    }

    private sealed class RecordingStore : CacheFallbackStore<Quote>
    {
        private readonly Dictionary<string, CachedResult<Quote>> _entries = [];

        public int Reads { get; private set; }

        public int Writes { get; private set; }

        public bool FailReads { get; init; }

        public bool FailWrites { get; init; }

        public override ValueTask<CachedResult<Quote>?> GetAsync(string key, CancellationToken cancellationToken)
        {
            Reads++;
            return FailReads
                ? ValueTask.FromException<CachedResult<Quote>?>(new InvalidOperationException("cache unreachable"))
                : new(_entries.TryGetValue(key, out var e) ? e : null);
        }

        public override ValueTask SetAsync(string key, CachedResult<Quote> result, TimeSpan timeToLive, CancellationToken cancellationToken)
        {
            Writes++;
            if (FailWrites)
            {
                throw new InvalidOperationException("cache unreachable");
            }

            _entries[key] = result;
            return default;
        }
    }
}

public sealed record Quote(string Currency, decimal Rate);

[JsonSerializable(typeof(Quote))]
internal sealed partial class CacheFallbackJson : JsonSerializerContext;
