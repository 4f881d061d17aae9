namespace Resilience.Migration.Tests;

/// <summary>Rows "retry" of the migration guide's code fix table: renamed members and Polly's defaults written out.</summary>
public class RetryOptionsTests
{
    [Fact]
    public Task DefaultOptions_GetPollysDefaultsWritten()
        => MigrationVerifier.VerifyAsync(
            """
            {|RSLM001:using Polly;|}
            {|RSLM001:using Polly.Retry;|}

            public static class Pipelines
            {
                public static ResiliencePipeline Create() => {|RSLM007:new ResiliencePipelineBuilder()|}.AddRetry({|RSLM002:new RetryStrategyOptions()|}).Build();
            }
            """,
            """
            using Resilience;
            using Resilience.Retry;
            using System;

            public static class Pipelines
            {
                public static ResiliencePipeline Create() => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions() { BackoffType = BackoffType.Constant, BaseDelay = TimeSpan.FromSeconds(2), Jitter = JitterMode.None, MaxDelay = TimeSpan.FromDays(1), ShouldHandle = static outcome => outcome.Exception is not null and not OperationCanceledException }).Build();
            }
            """);

    [Fact]
    public Task RenamedMembers_KeepTheirValues_AndJitterIsPollysSpread()
        => MigrationVerifier.VerifyAsync(
            """
            using System;
            {|RSLM001:using Polly;|}
            {|RSLM001:using Polly.Retry;|}

            public static class Pipelines
            {
                public static ResiliencePipeline<string> Create(TimeSpan? cap) => {|RSLM007:new ResiliencePipelineBuilder<string>()|}
                    .AddRetry({|RSLM002:new RetryStrategyOptions<string>
                    {
                        MaxRetryAttempts = 5,
                        Delay = TimeSpan.FromMilliseconds(100),
                        BackoffType = {|RSLM006:DelayBackoffType|}.Exponential,
                        UseJitter = true,
                        MaxDelay = cap,
                        ShouldHandle = {|RSLM003:new PredicateBuilder<string>()|}.Handle<TimeoutException>().HandleResult(r => r == "busy"),
                    }|})
                    .Build();
            }
            """,
            """
            using System;
            using Resilience;
            using Resilience.Retry;

            public static class Pipelines
            {
                public static ResiliencePipeline<string> Create(TimeSpan? cap) => new ResiliencePipelineBuilder<string>()
                    .AddRetry(new RetryStrategyOptions<string>
                    {
                        MaxRetryAttempts = 5,
                        BaseDelay = TimeSpan.FromMilliseconds(100),
                        BackoffType = BackoffType.Exponential,
                        Jitter = JitterMode.Proportional,
                        MaxDelay = cap ?? TimeSpan.FromDays(1),
                        ShouldHandle = Handle<string>.Exception<TimeoutException>().OrResult(r => r == "busy"),
                        JitterRange = 0.25,
                    })
                    .Build();
            }
            """);

    [Fact]
    public Task PredicateWithArguments_BecomesSynchronous_AndAttemptNumbersKeepPollysCount()
        => MigrationVerifier.VerifyAsync(
            """
            using System;
            using System.Threading.Tasks;
            {|RSLM001:using Polly;|}
            {|RSLM001:using Polly.Retry;|}

            public static class Pipelines
            {
                public static ResiliencePipeline Create(Action<TimeSpan, int> log) => {|RSLM007:new ResiliencePipelineBuilder()|}
                    .AddRetry({|RSLM002:new RetryStrategyOptions
                    {
                        UseJitter = false,
                        MaxDelay = null,
                        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is TimeoutException && args.{|RSLM004:AttemptNumber|} < 2),
                        DelayGenerator = args => new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Pow(2, args.{|RSLM004:AttemptNumber|}))),
                        OnRetry = args =>
                        {
                            log(args.{|RSLM004:RetryDelay|}, args.{|RSLM004:AttemptNumber|});
                            return default;
                        },
                    }|})
                    .Build();
            }
            """,
            """
            using System;
            using System.Threading.Tasks;
            using Resilience;
            using Resilience.Retry;

            public static class Pipelines
            {
                public static ResiliencePipeline Create(Action<TimeSpan, int> log) => new ResiliencePipelineBuilder()
                    .AddRetry(new RetryStrategyOptions
                    {
                        Jitter = JitterMode.None,
                        MaxDelay = TimeSpan.FromDays(1),
                        ShouldHandleWithArguments = args => args.Outcome.Exception is TimeoutException && (args.AttemptNumber - 1) < 2,
                        DelayGenerator = args => new ValueTask<TimeSpan?>(TimeSpan.FromSeconds(Math.Pow(2, (args.AttemptNumber - 1)))),
                        OnRetry = args =>
                        {
                            log(args.Delay, (args.AttemptNumber - 1));
                            return default;
                        },
                        BackoffType = BackoffType.Constant,
                        BaseDelay = TimeSpan.FromSeconds(2),
                    })
                    .Build();
            }
            """);

    [Fact]
    public Task OptionsSetAfterCreation_AreRenamedToo()
        => MigrationVerifier.VerifyAsync(
            """
            using System;
            using System.Threading.Tasks;
            {|RSLM001:using Polly;|}
            {|RSLM001:using Polly.Retry;|}

            public static class Pipelines
            {
                public static RetryStrategyOptions Create(bool jitter)
                {
                    var options = {|RSLM002:new RetryStrategyOptions { MaxRetryAttempts = 2 }|};
                    options.{|RSLM004:Delay|} = TimeSpan.FromSeconds(1);
                    options.{|RSLM004:UseJitter|} = jitter;
                    options.{|RSLM004:ShouldHandle|} = static args => PredicateResult.True();
                    Console.WriteLine(options.{|RSLM004:UseJitter|});
                    return options;
                }
            }
            """,
            """
            using System;
            using System.Threading.Tasks;
            using Resilience;
            using Resilience.Retry;

            public static class Pipelines
            {
                public static RetryStrategyOptions Create(bool jitter)
                {
                    var options = new RetryStrategyOptions { MaxRetryAttempts = 2, BackoffType = BackoffType.Constant, BaseDelay = TimeSpan.FromSeconds(2), Jitter = JitterMode.None, MaxDelay = TimeSpan.FromDays(1), ShouldHandle = static outcome => outcome.Exception is not null and not OperationCanceledException };
                    options.BaseDelay = TimeSpan.FromSeconds(1);
                    options.Jitter = jitter ? JitterMode.Proportional : JitterMode.None;
                    options.ShouldHandleWithArguments = static args => true;
                    Console.WriteLine((options.Jitter != JitterMode.None));
                    return options;
                }
            }
            """);
}
