using Resilience.Fallback;

namespace Resilience.Tests.Fallback;

public class FallbackStrategyTests
{
    [Fact]
    public async Task ExecuteAsync_WorkFails_ReturnsFallbackValue()
    {
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback("cached").Build();

        var result = await pipeline.ExecuteAsync(static _ => throw new HttpRequestException("down"));

        result.Should().Be("cached");
    }

    [Fact]
    public async Task ExecuteAsync_WorkSucceeds_FallbackNotUsed()
    {
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback("cached").Build();

        (await pipeline.ExecuteAsync(static _ => new ValueTask<string>("fresh"))).Should().Be("fresh");
    }

    [Fact]
    public async Task ExecuteAsync_FunctionFallback_ReceivesFailedOutcome()
    {
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddFallback(outcome => "recovered from " + outcome.Exception!.Message)
            .Build();

        var result = await pipeline.ExecuteAsync(static _ => throw new InvalidOperationException("boom"));

        result.Should().Be("recovered from boom");
    }

    [Fact]
    public async Task ExecuteAsync_AsyncFunctionFallback_ReceivesOutcomeAndToken()
    {
        using var caller = new CancellationTokenSource();
        CancellationToken seen = default;
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddFallback(async (outcome, ct) =>
            {
                seen = ct;
                await Task.Yield();
                return outcome.Exception is TimeoutException ? 408 : 500;
            })
            .Build();

        var result = await pipeline.ExecuteAsync(static _ => throw new TimeoutException(), caller.Token);

        result.Should().Be(408);
        seen.Should().Be(caller.Token);
    }

    [Fact]
    public async Task ExecuteAsync_Chain_TriesFallbacksInOrderUntilOneIsNotHandled()
    {
        var tried = new List<int>();
        var options = new FallbackStrategyOptions<string>();
        options.FallbackActions.Add(args =>
        {
            tried.Add(args.FallbackIndex);
            throw new HttpRequestException("replica down");
        });
        options.FallbackActions.Add(args =>
        {
            tried.Add(args.FallbackIndex);
            args.Outcome.Exception!.Message.Should().Be("replica down", "each fallback sees the previous fallback's failure");
            return Outcome.FromResultAsValueTask("from cache");
        });
        options.FallbackActions.Add(args =>
        {
            tried.Add(args.FallbackIndex);
            return Outcome.FromResultAsValueTask("never");
        });
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback(options).Build();

        var result = await pipeline.ExecuteAsync(static _ => throw new HttpRequestException("primary down"));

        result.Should().Be("from cache");
        tried.Should().Equal(0, 1);
    }

    [Fact]
    public async Task ExecuteAsync_EveryFallbackFails_ReturnsLastFailure()
    {
        var options = new FallbackStrategyOptions<string>();
        options.FallbackActions.Add(_ => Outcome.FromExceptionAsValueTask<string>(new InvalidOperationException("first")));
        options.FallbackActions.Add(_ => Outcome.FromExceptionAsValueTask<string>(new InvalidOperationException("last")));
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback(options).Build();

        var act = async () => await pipeline.ExecuteAsync(static _ => throw new InvalidOperationException("primary"));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("last");
    }

    [Fact]
    public async Task ExecuteAsync_ExceptionNotHandled_PropagatesUnchanged()
    {
        var options = new FallbackStrategyOptions<string> { ShouldHandle = Handle<string>.Exception<HttpRequestException>() };
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask("cached"));
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback(options).Build();

        var act = async () => await pipeline.ExecuteAsync(static _ => throw new ArgumentException("bad input"));

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("bad input");
    }

    [Fact]
    public async Task ExecuteAsync_HandledResult_IsReplaced()
    {
        var options = new FallbackStrategyOptions<int> { ShouldHandle = Handle<int>.Result(r => r >= 500) };
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask(200));
        var pipeline = new ResiliencePipelineBuilder<int>().AddFallback(options).Build();

        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(503))).Should().Be(200);
        (await pipeline.ExecuteAsync(static _ => new ValueTask<int>(404))).Should().Be(404);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_CancellationIsNeverReplaced()
    {
        using var caller = new CancellationTokenSource();
        var options = new FallbackStrategyOptions<int> { ShouldHandle = Handle<int>.Exception<OperationCanceledException>() };
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask(1));
        var pipeline = new ResiliencePipelineBuilder<int>().AddFallback(options).Build();

        var act = async () => await pipeline.ExecuteAsync(
            async ct =>
            {
                await caller.CancelAsync();
                ct.ThrowIfCancellationRequested();
                return 0;
            },
            caller.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task ExecuteAsync_CancellationNotFromCaller_CanBeHandled()
    {
        var options = new FallbackStrategyOptions<int> { ShouldHandle = Handle<int>.Exception<OperationCanceledException>() };
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask(1));
        var pipeline = new ResiliencePipelineBuilder<int>().AddFallback(options).Build();

        var result = await pipeline.ExecuteAsync(static _ => throw new TaskCanceledException("HttpClient.Timeout elapsed"));

        result.Should().Be(1);
    }

    [Fact]
    public async Task ExecuteAsync_NonGenericPipeline_FallbackTypedPerCallSite()
    {
        var options = new FallbackStrategyOptions();
        options.FallbackActions.Add(args => Outcome.FromResultAsValueTask<object>(
            args.ResultType == typeof(int) ? 0 : "unavailable"));
        var pipeline = new ResiliencePipelineBuilder().AddFallback(options).Build();

        var count = await pipeline.ExecuteAsync<int>(static _ => throw new HttpRequestException());
        var text = await pipeline.ExecuteAsync<string>(static _ => throw new HttpRequestException());

        count.Should().Be(0);
        text.Should().Be("unavailable");
    }

    [Fact]
    public async Task ExecuteAsync_NonGenericFallbackOfWrongType_FailsWithInvalidCast()
    {
        var options = new FallbackStrategyOptions();
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask<object>("text"));
        var pipeline = new ResiliencePipelineBuilder().AddFallback(options).Build();

        var act = async () => await pipeline.ExecuteAsync<int>(static _ => throw new HttpRequestException());

        await act.Should().ThrowAsync<InvalidCastException>().WithMessage("*System.String*System.Int32*");
    }

    [Fact]
    public void Execute_SynchronousWork_FallsBackSynchronously()
    {
        var pipeline = new ResiliencePipelineBuilder<int>().AddFallback(-1).Build();

        pipeline.Execute(static () => throw new InvalidOperationException()).Should().Be(-1);
    }

    [Fact]
    public async Task ExecuteAsync_Fallback_RaisesOnFallbackBeforeEachAction()
    {
        var events = new List<string>();
        var options = new FallbackStrategyOptions<string>
        {
            OnFallback = args =>
            {
                events.Add($"{args.FallbackIndex}:{args.Outcome.Exception!.Message}");
                return default;
            },
        };
        options.FallbackActions.Add(_ => Outcome.FromExceptionAsValueTask<string>(new InvalidOperationException("second")));
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask("ok"));
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback(options).Build();

        await pipeline.ExecuteAsync(static _ => throw new InvalidOperationException("first"));

        events.Should().Equal("0:first", "1:second");
    }

    [Fact]
    public async Task ExecuteAsync_OnFallbackThrows_CallerGetsTheCallbackFailure()
    {
        // The rule for every user callback (issue 16, Minor 14): its exception reaches the caller.
        var options = new FallbackStrategyOptions<string> { OnFallback = _ => throw new InvalidOperationException("handler bug") };
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask("ok"));
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallback(options).Build();

        var act = async () => await pipeline.ExecuteAsync(static _ => throw new HttpRequestException());

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("handler bug");
    }

    [Fact]
    public void AddFallback_EmptyChain_ThrowsNamingTheOption()
    {
        var act = () => new ResiliencePipelineBuilder<int>().AddFallback(new FallbackStrategyOptions<int>());

        act.Should().Throw<ArgumentException>().WithParameterName("FallbackStrategyOptions.FallbackActions")
            .And.Message.Should().Contain("empty");
    }

    [Fact]
    public void AddFallback_NullActionInChain_ThrowsNamingThePosition()
    {
        var options = new FallbackStrategyOptions();
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask<object>(1));
        options.FallbackActions.Add(null!);

        var act = () => new ResiliencePipelineBuilder().AddFallback(options);

        act.Should().Throw<ArgumentException>().WithMessage("*position 1*");
    }

    [Fact]
    public void AddFallback_NullShouldHandle_ThrowsNamingTheOption()
    {
        var options = new FallbackStrategyOptions<int> { ShouldHandle = null! };
        options.FallbackActions.Add(_ => Outcome.FromResultAsValueTask(1));

        var act = () => new ResiliencePipelineBuilder<int>().AddFallback(options);

        act.Should().Throw<ArgumentNullException>().WithParameterName("FallbackStrategyOptions.ShouldHandle");
    }

    [Fact]
    public void AddFallback_NullFunction_Throws()
    {
        var act = () => new ResiliencePipelineBuilder<int>().AddFallback((Func<Outcome<int>, int>)null!);

        act.Should().Throw<ArgumentNullException>();
    }
}
