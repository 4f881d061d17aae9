using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using Resilience.Retry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Retry;

public class RetryStrategyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<(int Attempt, TimeSpan Delay)> _retries = [];

    [Fact]
    public async Task ExecuteAsync_TransientFailuresThenSuccess_RetriesWithBackoffAndCountsAttempts()
    {
        var pipeline = Build(new RetryStrategyOptions { MaxRetryAttempts = 5, BackoffType = BackoffType.Exponential, BaseDelay = TimeSpan.FromSeconds(1), Jitter = JitterMode.None, OnRetry = Record });
        var calls = 0;

        var pending = pipeline.ExecuteAsync(_ => ++calls < 4 ? throw new HttpRequestException("503") : new ValueTask<int>(calls)).AsTask();
        await AdvanceUntilDoneAsync(pending);

        (await pending).Should().Be(4);
        _retries.Should().Equal((1, TimeSpan.FromSeconds(1)), (2, TimeSpan.FromSeconds(2)), (3, TimeSpan.FromSeconds(4)));
    }

    [Fact]
    public async Task ExecuteAsync_AlwaysFails_StopsAfterMaxRetriesAndReportsExhaustion()
    {
        var exhausted = new List<int>();
        var pipeline = Build(new RetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BaseDelay = TimeSpan.Zero,
            OnRetry = Record,
            OnRetriesExhausted = args =>
            {
                exhausted.Add(args.Retries);
                return default;
            },
        });
        var calls = 0;

        var act = async () => await pipeline.ExecuteAsync<int>(_ => throw new IOException($"failure {++calls}"));

        await act.Should().ThrowAsync<IOException>().WithMessage("failure 4");
        calls.Should().Be(4, "MaxRetryAttempts counts retries after the first attempt");
        _retries.Select(r => r.Attempt).Should().Equal(1, 2, 3);
        exhausted.Should().Equal(3);
    }

    [Theory]
    [InlineData(typeof(ArgumentException))]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(NotSupportedException))]
    [InlineData(typeof(UnauthorizedAccessException))]
    public async Task ExecuteAsync_PermanentError_NotRetried(Type exceptionType)
    {
        var pipeline = Build(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero });
        var calls = 0;

        var act = async () => await pipeline.ExecuteAsync<int>(_ =>
        {
            calls++;
            throw (Exception)Activator.CreateInstance(exceptionType)!;
        });

        await act.Should().ThrowAsync<Exception>();
        calls.Should().Be(1);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancelsDuringDelay_StopsAtOnce()
    {
        var pipeline = Build(new RetryStrategyOptions { BaseDelay = TimeSpan.FromMinutes(10), MaxDelay = TimeSpan.FromHours(1), Jitter = JitterMode.None });
        using var caller = new CancellationTokenSource();
        var calls = 0;

        var pending = pipeline.ExecuteAsync<int>(_ => ++calls > 0 ? throw new IOException() : default, caller.Token).AsTask();
        pending.IsCompleted.Should().BeFalse("the strategy is waiting ten minutes before the retry");
        await caller.CancelAsync();

        await pending.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>();
        calls.Should().Be(1, "no attempt may start after the caller cancelled");
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancelsDuringAttempt_NotRetried()
    {
        var pipeline = Build(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero, ShouldHandle = _ => true });
        using var caller = new CancellationTokenSource();
        var calls = 0;

        var act = async () => await pipeline.ExecuteAsync<int>(
            async ct =>
            {
                calls++;
                await caller.CancelAsync();
                ct.ThrowIfCancellationRequested();
                return 0;
            },
            caller.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        calls.Should().Be(1);
    }

    [Fact]
    public async Task ExecuteAsync_MaxRetryDuration_NoRetryWhoseDelayEndsAfterIt()
    {
        var pipeline = Build(new RetryStrategyOptions
        {
            MaxRetryAttempts = 10,
            BaseDelay = TimeSpan.FromSeconds(1),
            Jitter = JitterMode.None,
            MaxRetryDuration = TimeSpan.FromSeconds(2.5),
            OnRetry = Record,
        });
        var calls = 0;

        var pending = pipeline.ExecuteAsync<int>(_ =>
        {
            calls++;
            throw new IOException();
        }).AsTask();
        await AdvanceUntilDoneAsync(pending);

        await pending.Invoking(p => p).Should().ThrowAsync<IOException>();
        _retries.Select(r => r.Delay).Should().Equal(TimeSpan.FromSeconds(1));
        calls.Should().Be(2, "the second retry would wait until 3 s, past the 2.5 s limit");
    }

    [Fact]
    public async Task ExecuteAsync_BudgetOfTwoRetries_BurstRetriesAtMostTwiceAndSuccessesRefill()
    {
        var budget = new RetryBudget(capacity: 10, retryCost: 5, successRefill: 1);
        var pipeline = Build(new RetryStrategyOptions { MaxRetryAttempts = 3, BaseDelay = TimeSpan.Zero, Budget = budget });
        var calls = 0;

        for (var i = 0; i < 5; i++)
        {
            await pipeline.Invoking(p => p.ExecuteAsync<int>(_ =>
            {
                calls++;
                throw new IOException();
            }).AsTask()).Should().ThrowAsync<IOException>();
        }

        calls.Should().Be(5 + 2, "five first attempts, and only the two retries the ten tokens pay for");
        budget.Available.Should().Be(0);
        budget.RetriesDenied.Should().Be(5);

        for (var i = 0; i < 5; i++)
        {
            await pipeline.ExecuteAsync(static _ => new ValueTask<int>(1));
        }

        budget.Available.Should().Be(5, "each first-try success puts one token back");
    }

    [Fact]
    public async Task ExecuteAsync_SharedBudget_AppliesAcrossPipelines()
    {
        var budget = new RetryBudget(capacity: 5, retryCost: 5);
        var first = Build(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero, Budget = budget });
        var second = Build(new RetryStrategyOptions { BaseDelay = TimeSpan.Zero, Budget = budget });
        var calls = 0;

        await first.Invoking(p => p.ExecuteAsync<int>(_ => ++calls > 0 ? throw new IOException() : default).AsTask()).Should().ThrowAsync<IOException>();
        await second.Invoking(p => p.ExecuteAsync<int>(_ => ++calls > 0 ? throw new IOException() : default).AsTask()).Should().ThrowAsync<IOException>();

        calls.Should().Be(3, "the first pipeline's retry emptied the budget the second one shares");
    }

    [Fact]
    public async Task ExecuteAsync_HttpResponses_RetriesTransientStatusAndHonoursRetryAfter()
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = TransientErrorClassifier.TransientHttpResponses,
                BaseDelay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(10),
                Jitter = JitterMode.None,
                OnRetry = args => Record(args.AttemptNumber, args.Delay),
            })
            .Build();
        var responses = new Queue<HttpResponseMessage>();
        var delta = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        delta.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
        var date = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        date.Headers.RetryAfter = new RetryConditionHeaderValue(_time.GetUtcNow().AddSeconds(5));
        var tooLong = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        tooLong.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromHours(1));
        responses.Enqueue(delta);
        responses.Enqueue(date);
        responses.Enqueue(tooLong);
        responses.Enqueue(new HttpResponseMessage(HttpStatusCode.NotFound));

        var pending = pipeline.ExecuteAsync(_ => new ValueTask<HttpResponseMessage>(responses.Dequeue())).AsTask();
        await AdvanceUntilDoneAsync(pending);

        (await pending).StatusCode.Should().Be(HttpStatusCode.NotFound, "404 is permanent: returned, not retried");
        // The date form counts from now: 5 s after the first response, minus the 3 s already waited.
        _retries.Should().Equal((1, TimeSpan.FromSeconds(3)), (2, TimeSpan.FromSeconds(2)), (3, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ExecuteAsync_HandledResult_IsDisposedBeforeRetry()
    {
        var pipeline = new ResiliencePipelineBuilder<DisposableResult>()
            .AddRetry(new RetryStrategyOptions<DisposableResult> { ShouldHandle = o => o.Result is { Failed: true }, BaseDelay = TimeSpan.Zero })
            .Build();
        var failed = new DisposableResult(failed: true);

        var result = await pipeline.ExecuteAsync(_ => new ValueTask<DisposableResult>(failed.Disposed ? new DisposableResult(false) : failed));

        failed.Disposed.Should().BeTrue();
        result.Failed.Should().BeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_DelayGenerator_OverridesOrKeepsDefault()
    {
        var pipeline = Build(new RetryStrategyOptions
        {
            MaxRetryAttempts = 2,
            BaseDelay = TimeSpan.FromSeconds(1),
            Jitter = JitterMode.None,
            DelayGenerator = args => new ValueTask<TimeSpan?>(args.AttemptNumber == 1 ? TimeSpan.FromSeconds(7) : null),
            OnRetry = Record,
        });
        var calls = 0;

        var pending = pipeline.ExecuteAsync(_ => ++calls < 3 ? throw new IOException() : new ValueTask<int>(calls)).AsTask();
        await AdvanceUntilDoneAsync(pending);

        (await pending).Should().Be(3);
        _retries.Select(r => r.Delay).Should().Equal(TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Execute_Synchronous_RetriesOnCallingThreadThroughTheFakeClock()
    {
        var pipeline = Build(new RetryStrategyOptions { MaxRetryAttempts = 2, BaseDelay = TimeSpan.FromSeconds(30), Jitter = JitterMode.None });
        var threads = new List<int>();
        var caller = 0;

        var run = Task.Factory.StartNew(
            () =>
            {
                caller = Environment.CurrentManagedThreadId;
                return pipeline.Execute(() =>
                {
                    threads.Add(Environment.CurrentManagedThreadId);
                    return threads.Count < 3 ? throw new IOException() : threads.Count;
                });
            },
            TaskCreationOptions.LongRunning);
        while (!run.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
        }

        (await run).Should().Be(3);
        threads.Should().OnlyContain(t => t == caller);
    }

    [Fact]
    public void Execute_SuccessfulCall_AllocatesNothing()
    {
        var pipeline = Build(new RetryStrategyOptions());

        AllocationMeter.BytesPerRun(() => pipeline.Execute(static (s, _) => s, 1)).Should().Be(0);
        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1))).Should().Be(0);
    }

    [Fact]
    public void ExecuteAsync_SuccessfulCallWithBudget_AllocatesNothing()
    {
        var pipeline = Build(new RetryStrategyOptions { Budget = new RetryBudget() });

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1))).Should().Be(0);
    }

    public static TheoryData<Action<RetryStrategyOptions>, string> BadOptions => new()
    {
        { o => o.MaxRetryAttempts = 0, "RetryStrategyOptions.MaxRetryAttempts" },
        { o => o.MaxRetryAttempts = -1, "RetryStrategyOptions.MaxRetryAttempts" },
        { o => o.BaseDelay = TimeSpan.FromSeconds(-1), "RetryStrategyOptions.BaseDelay" },
        { o => o.BaseDelay = System.Threading.Timeout.InfiniteTimeSpan, "RetryStrategyOptions.BaseDelay" },
        { o => o.MaxDelay = TimeSpan.FromMilliseconds(100), "RetryStrategyOptions.MaxDelay" },
        { o => o.JitterRange = 0, "RetryStrategyOptions.JitterRange" },
        { o => o.JitterRange = 1.5, "RetryStrategyOptions.JitterRange" },
        { o => o.JitterRange = double.NaN, "RetryStrategyOptions.JitterRange" },
        { o => o.JitterRange = double.PositiveInfinity, "RetryStrategyOptions.JitterRange" },
        { o => o.MaxRetryDuration = TimeSpan.Zero, "RetryStrategyOptions.MaxRetryDuration" },
        { o => o.BackoffType = (BackoffType)42, "RetryStrategyOptions.BackoffType" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void AddRetry_BadOption_ThrowsNamingTheOption(Action<RetryStrategyOptions> configure, string option)
    {
        var options = new RetryStrategyOptions { BaseDelay = TimeSpan.FromSeconds(1) };
        configure(options);

        var act = () => new ResiliencePipelineBuilder().AddRetry(options);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(option);
    }

    [Fact]
    public void AddRetry_NullShouldHandle_ThrowsNamingTheOption()
    {
        var act = () => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { ShouldHandle = null! });

        act.Should().Throw<ArgumentNullException>().WithParameterName("RetryStrategyOptions.ShouldHandle");
    }

    private ResiliencePipeline Build(RetryStrategyOptions options)
        => new ResiliencePipelineBuilder { TimeProvider = _time }.AddRetry(options).Build();

    private ValueTask Record(OnRetryArguments<object> args) => Record(args.AttemptNumber, args.Delay);

    private ValueTask Record(int attempt, TimeSpan delay)
    {
        _retries.Add((attempt, delay));
        return default;
    }

    private async Task AdvanceUntilDoneAsync(Task pending)
    {
        for (var i = 0; i < 10_000 && !pending.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }
    }

    public sealed class DisposableResult(bool failed) : IDisposable
    {
        public bool Failed { get; } = failed;

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
