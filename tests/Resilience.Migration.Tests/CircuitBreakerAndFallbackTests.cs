namespace Resilience.Migration.Tests;

/// <summary>Rows "circuit breaker" and "fallback" of the migration guide's code fix table.</summary>
public class CircuitBreakerAndFallbackTests
{
    [Fact]
    public Task CircuitBreaker_GetsPollysRatioThroughputAndRule_AndASynchronousGenerator()
        => MigrationVerifier.VerifyAsync(
            """
            using System;
            using System.Threading.Tasks;
            {|RSLM001:using Polly;|}
            {|RSLM001:using Polly.CircuitBreaker;|}

            public static class Pipelines
            {
                public static ResiliencePipeline Create(CircuitBreakerStateProvider state) => {|RSLM007:new ResiliencePipelineBuilder()|}
                    .AddCircuitBreaker({|RSLM002:new CircuitBreakerStrategyOptions
                    {
                        BreakDuration = TimeSpan.FromSeconds(10),
                        BreakDurationGenerator = static args => ValueTask.FromResult(TimeSpan.FromSeconds(5 * (args.{|RSLM004:HalfOpenAttempts|} + 1))),
                        StateProvider = state,
                        OnOpened = static ({|RSLM006:OnCircuitOpenedArguments<object>|} args) => default,
                        OnHalfOpened = static ({|RSLM006:OnCircuitHalfOpenedArguments|} _) => default,
                    }|})
                    .Build();

                public static bool IsOpen(CircuitBreakerStateProvider state) => state.{|RSLM004:CircuitState|} == CircuitState.Open;
            }
            """,
            """
            using System;
            using System.Threading.Tasks;
            using Resilience;
            using Resilience.CircuitBreaker;

            public static class Pipelines
            {
                public static ResiliencePipeline Create(CircuitBreakerStateProvider state) => new ResiliencePipelineBuilder()
                    .AddCircuitBreaker(new CircuitBreakerStrategyOptions
                    {
                        BreakDuration = TimeSpan.FromSeconds(10),
                        BreakDurationGenerator = static args => TimeSpan.FromSeconds(5 * ((args.ConsecutiveTrips - 1) + 1)),
                        StateProvider = state,
                        OnOpened = static (OnCircuitOpenedArguments args) => default,
                        OnHalfOpened = static (CircuitTransitionArguments _) => default,
                        FailureRatio = 0.1,
                        MinimumThroughput = 100,
                        ShouldHandle = static outcome => outcome.Exception is not null and not OperationCanceledException,
                    })
                    .Build();

                public static bool IsOpen(CircuitBreakerStateProvider state) => state.State == CircuitState.Open;
            }
            """);

    [Fact]
    public Task CircuitBreaker_ExplicitValues_AreKept_AndAPredicateBuilderStaysTheRule()
        => MigrationVerifier.VerifyAsync(
            """
            using System;
            {|RSLM001:using Polly;|}
            {|RSLM001:using Polly.CircuitBreaker;|}

            public static class Pipelines
            {
                public static CircuitBreakerStrategyOptions<int> Options() => {|RSLM002:new CircuitBreakerStrategyOptions<int>
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 20,
                    ShouldHandle = {|RSLM003:new PredicateBuilder<int>()|}.Handle<TimeoutException>(e => e.Message != "ignored").HandleInner<System.IO.IOException>().HandleResult(-1),
                }|};
            }
            """,
            """
            using System;
            using Resilience;
            using Resilience.CircuitBreaker;

            public static class Pipelines
            {
                public static CircuitBreakerStrategyOptions<int> Options() => new CircuitBreakerStrategyOptions<int>
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 20,
                    ShouldHandle = Handle<int>.Exception<TimeoutException>(e => e.Message != "ignored").OrInner<System.IO.IOException>().OrResult(result => System.Collections.Generic.EqualityComparer<int>.Default.Equals(result, -1)),
                };
            }
            """);

    [Fact]
    public Task Fallback_ActionBecomesTheList_AndPollysRuleIsWritten()
        => MigrationVerifier.VerifyAsync(
            """
            using System.Threading.Tasks;
            {|RSLM001:using Polly;|}
            {|RSLM001:using Polly.Fallback;|}

            public static class Pipelines
            {
                public static ResiliencePipeline<string> Create() => {|RSLM007:new ResiliencePipelineBuilder<string>()|}
                    .AddFallback({|RSLM002:new FallbackStrategyOptions<string>
                    {
                        FallbackAction = static _ => Outcome.FromResultAsValueTask("cached"),
                    }|})
                    .Build();

                public static FallbackStrategyOptions<string> Later()
                {
                    var options = {|RSLM002:new FallbackStrategyOptions<string> { ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is null) }|};
                    options.{|RSLM004:FallbackAction|} = static _ => Outcome.FromResultAsValueTask("empty");
                    return options;
                }
            }
            """,
            """
            using System.Threading.Tasks;
            using Resilience;
            using Resilience.Fallback;
            using System;

            public static class Pipelines
            {
                public static ResiliencePipeline<string> Create() => new ResiliencePipelineBuilder<string>()
                    .AddFallback(new FallbackStrategyOptions<string>
                    {
                        FallbackActions =
                        {
                            static _ => Outcome.FromResultAsValueTask("cached")
                        },
                        ShouldHandle = static outcome => outcome.Exception is not null and not OperationCanceledException,
                    })
                    .Build();

                public static FallbackStrategyOptions<string> Later()
                {
                    var options = new FallbackStrategyOptions<string> { ShouldHandleWithArguments = static args => args.Outcome.Result is null };
                    options.FallbackActions.Add(static _ => Outcome.FromResultAsValueTask("empty"));
                    return options;
                }
            }
            """);
}
