namespace Resilience.Migration.Tests;

/// <summary>Rows "Polly.Extensions" and "exceptions" of the migration guide's code fix table.</summary>
public class DependencyInjectionTests
{
    [Fact]
    public Task AddResiliencePipeline_NamesByString_AndAlwaysTakesTheContext()
        => MigrationVerifier.VerifyAsync(
            """
            using System;
            using Microsoft.Extensions.DependencyInjection;
            {|RSLM001:using Polly;|}
            {|RSLM001:using Polly.Registry;|}

            public enum Api { Orders }

            public static class Registrations
            {
                public static void Register(IServiceCollection services)
                {
                    services.{|RSLM005:AddResiliencePipeline|}("plain", builder => builder.AddTimeout(TimeSpan.FromSeconds(1)));
                    services.{|RSLM005:AddResiliencePipeline<string, int>|}("typed", (builder, context) =>
                    {
                        _ = context.{|RSLM004:ServiceProvider|};
                        _ = context.{|RSLM004:PipelineKey|};
                        builder.AddTimeout(TimeSpan.FromSeconds(2));
                    });
                    services.{|RSLM005:AddResiliencePipeline|}(Api.Orders, static (builder, _) => builder.AddTimeout(TimeSpan.FromSeconds(3)));
                }

                public static ResiliencePipeline Orders({|RSLM006:ResiliencePipelineProvider<Api>|} provider) => provider.GetPipeline(Api.Orders);
            }
            """,
            """
            using System;
            using Microsoft.Extensions.DependencyInjection;
            using Resilience;
            using Resilience.DependencyInjection;

            public enum Api { Orders }

            public static class Registrations
            {
                public static void Register(IServiceCollection services)
                {
                    services.AddResiliencePipeline("plain", (builder, _) => builder.AddTimeout(TimeSpan.FromSeconds(1)));
                    services.AddResiliencePipeline<int>("typed", (builder, context) =>
                    {
                        _ = context.Services;
                        _ = context.Name;
                        builder.AddTimeout(TimeSpan.FromSeconds(2));
                    });
                    services.AddResiliencePipeline(Api.Orders.ToString(), static (builder, _) => builder.AddTimeout(TimeSpan.FromSeconds(3)));
                }

                public static ResiliencePipeline Orders(ResiliencePipelineProvider provider) => provider.GetPipeline(Api.Orders.ToString());
            }
            """);

    [Fact]
    public Task ValidationException_FromPollysOptions_BecomesArgumentException_AndQualifiedNamesMove()
        => MigrationVerifier.VerifyAsync(
            """
            using System;
            using System.ComponentModel.DataAnnotations;
            {|RSLM001:using Polly;|}

            public static class Pipelines
            {
                public static ResiliencePipeline? TryCreate()
                {
                    try
                    {
                        return {|RSLM007:new ResiliencePipelineBuilder()|}.AddTimeout(new {|RSLM001:Polly.Timeout|}.TimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(1) }).Build();
                    }
                    catch ({|RSLM006:ValidationException|})
                    {
                        return null;
                    }
                }
            }
            """,
            """
            using System;
            using System.ComponentModel.DataAnnotations;
            using Resilience;

            public static class Pipelines
            {
                public static ResiliencePipeline? TryCreate()
                {
                    try
                    {
                        return new ResiliencePipelineBuilder().AddTimeout(new Resilience.Timeout.TimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(1) }).Build();
                    }
                    catch (ArgumentException)
                    {
                        return null;
                    }
                }
            }
            """);
}
