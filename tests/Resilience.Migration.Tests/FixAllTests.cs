namespace Resilience.Migration.Tests;

/// <summary>
/// "Fix all in solution": every file of the project is migrated in one pass, and a file's several Polly usages (each
/// with its own diagnostic) become one consistent rewrite; also the predicate builder's non-generic starts and Simmy.
/// </summary>
public class FixAllTests
{
    [Fact]
    public Task FixAll_MigratesEveryFile()
        => MigrationVerifier.VerifyAsync(
            [
                """
                using System;
                {|RSLM001:using Polly;|}
                {|RSLM001:using Polly.Retry;|}

                public static class Retries
                {
                    public static RetryStrategyOptions Transient() => {|RSLM002:new RetryStrategyOptions
                    {
                        Delay = TimeSpan.Zero,
                        ShouldHandle = {|RSLM003:new PredicateBuilder()|}.HandleInner<TimeoutException>().Handle<System.IO.IOException>(),
                    }|};
                }
                """,
                """
                {|RSLM001:using Polly;|}
                {|RSLM001:using Polly.Simmy;|}

                public static class Results
                {
                    public static object Rule() => {|RSLM003:new PredicateBuilder()|}.HandleResult(r => r is null);
                }
                """,
            ],
            [
                """
                using System;
                using Resilience;
                using Resilience.Retry;

                public static class Retries
                {
                    public static RetryStrategyOptions Transient() => new RetryStrategyOptions
                    {
                        BaseDelay = TimeSpan.Zero,
                        ShouldHandle = Handle.InnerException<TimeoutException>().Or<System.IO.IOException>(),
                        BackoffType = BackoffType.Constant,
                        Jitter = JitterMode.None,
                        MaxDelay = TimeSpan.FromDays(1),
                    };
                }
                """,
                """
                using Resilience;
                using Resilience.Chaos;

                public static class Results
                {
                    public static object Rule() => Handle.Result(r => r is null);
                }
                """,
            ]);
}
