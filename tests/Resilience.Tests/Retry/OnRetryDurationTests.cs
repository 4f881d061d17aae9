using Microsoft.Extensions.Time.Testing;
using Resilience.Retry;
using Resilience.Tests.TestUtils;

namespace Resilience.Tests.Retry;

/// <summary><c>OnRetryArguments.Duration</c>: how long the failed attempt ran, from the pipeline's TimeProvider (Polly's shape; issue 25).</summary>
public class OnRetryDurationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task OnRetry_ReportsHowLongEachFailedAttemptRan()
    {
        var durations = new List<TimeSpan>();
        var pipeline = Build(durations);
        var runs = new[] { 3, 5 };
        var calls = 0;

        var result = await pipeline.ExecuteAsync(_ =>
        {
            if (calls < runs.Length)
            {
                _time.Advance(TimeSpan.FromSeconds(runs[calls++]));
                throw new IOException();
            }

            return new ValueTask<int>(7);
        });

        result.Should().Be(7);
        durations.Should().Equal(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task OnRetry_AsynchronousAttempts_ReportTheirDuration()
    {
        var durations = new List<TimeSpan>();
        var pipeline = Build(durations);
        var calls = 0;

        var result = await pipeline.ExecuteAsync(async _ =>
        {
            await Task.Yield();
            if (++calls < 3)
            {
                _time.Advance(TimeSpan.FromSeconds(calls));
                throw new IOException();
            }

            return calls;
        });

        result.Should().Be(3);
        durations.Should().Equal(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void OnRetry_Set_SuccessPathStillAllocatesNothing()
    {
        var pipeline = Build([]);

        AllocationMeter.BytesPerRun(() => _ = AllocationMeter.Completed(pipeline.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 1))).Should().Be(0);
    }

    [Fact]
    public void Constructor_WithoutDuration_ReportsZero()
    {
        var context = ResilienceContextPool.Shared.Get();

        new OnRetryArguments<int>(context, Outcome.FromResult(1), 1, TimeSpan.Zero).Duration.Should().Be(TimeSpan.Zero);
        new OnRetryArguments<int>(context, Outcome.FromResult(1), 1, TimeSpan.Zero, TimeSpan.FromSeconds(2)).Duration.Should().Be(TimeSpan.FromSeconds(2));
        ResilienceContextPool.Shared.Return(context);
    }

    private ResiliencePipeline Build(List<TimeSpan> durations)
        => new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                BaseDelay = TimeSpan.Zero,
                OnRetry = args =>
                {
                    durations.Add(args.Duration);
                    return default;
                },
            })
            .Build();
}
