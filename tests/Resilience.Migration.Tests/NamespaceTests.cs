namespace Resilience.Migration.Tests;

/// <summary>Rows "namespaces" of the migration guide's code fix table.</summary>
public class NamespaceTests
{
    [Fact]
    public Task PollyNamespaces_BecomeResilienceOnes_AndTheBuilderKeepsItsShape()
        => MigrationVerifier.VerifyAsync(
            """
            using System;
            {|RSLM001:using Polly;|}
            {|RSLM001:using Polly.Timeout;|}

            public static class Pipelines
            {
                public static ResiliencePipeline Create() => {|RSLM007:new ResiliencePipelineBuilder()|}.AddTimeout(TimeSpan.FromSeconds(5)).Build();
            }
            """,
            """
            using System;
            using Resilience;
            using Resilience.Timeout;

            public static class Pipelines
            {
                public static ResiliencePipeline Create() => new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromSeconds(5)).Build();
            }
            """);
}
