using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Resilience.Chaos;

namespace Resilience.DependencyInjection.Tests;

public class ChaosSwitchRegistrationTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    [InlineData(" True ", true)]
    public void Switch_FollowsTheConfigurationKey_OffWhenMissing(string? value, bool enabled)
    {
        using var services = Services(value).BuildServiceProvider();

        services.GetRequiredService<ChaosSwitch>().IsEnabled.Should().Be(enabled);
    }

    [Fact]
    public void Switch_WithoutAnyConfiguration_IsOff()
    {
        using var services = new ServiceCollection().AddChaosSwitch().BuildServiceProvider();

        services.GetRequiredService<ChaosSwitch>().IsEnabled.Should().BeFalse();
    }

    [Fact]
    public void Switch_InvalidValue_FailsNamingTheKey()
    {
        using var services = Services("maybe").BuildServiceProvider();

        var act = () => services.GetRequiredService<ChaosSwitch>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*'Resilience:Chaos:Enabled'*'maybe'*");
    }

    [Fact]
    public void Switch_FollowsReloads_AndAnInvalidReloadTurnsChaosOff()
    {
        var configuration = Configuration("false");
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddChaosSwitch().BuildServiceProvider();
        var chaosSwitch = services.GetRequiredService<ChaosSwitch>();

        configuration[ChaosServiceCollectionExtensions.EnabledKey] = "true";
        configuration.Reload();
        chaosSwitch.IsEnabled.Should().BeTrue();

        configuration[ChaosServiceCollectionExtensions.EnabledKey] = "yes please";
        configuration.Reload();
        chaosSwitch.IsEnabled.Should().BeFalse();
    }

    [Theory]
    [InlineData("true", false)]
    [InlineData(null, true)]
    public async Task Pipeline_RegisteredWithChaos_InjectsOnlyWhileTheConfigurationSaysSo(string? value, bool succeeds)
    {
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(Configuration(value))
            .AddResiliencePipeline<int>("orders", (builder, context) => builder.AddChaosFault(new ChaosFaultStrategyOptions
            {
                InjectionRate = 1,
                Switch = context.ChaosSwitch(),
                FaultGenerator = static _ => new ValueTask<Exception?>(new TimeoutException("chaos")),
            }))
            .BuildServiceProvider();
        var pipeline = services.GetRequiredKeyedService<ResiliencePipeline<int>>("orders");

        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => new ValueTask<int>(1), 0);

        outcome.HasResult.Should().Be(succeeds);
    }

    private static ServiceCollection Services(string? value)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration(value)).AddChaosSwitch();
        return services;
    }

    private static IConfigurationRoot Configuration(string? value)
        => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ChaosServiceCollectionExtensions.EnabledKey] = value }).Build();
}
