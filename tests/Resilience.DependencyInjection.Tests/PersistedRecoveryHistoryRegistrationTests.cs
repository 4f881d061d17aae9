using Microsoft.Extensions.DependencyInjection;
using Resilience.Recovery;

namespace Resilience.DependencyInjection.Tests;

public sealed class PersistedRecoveryHistoryRegistrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "resilience-di-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunsSurviveARestartOfTheContainer_WhicheverOrderItIsRegisteredIn(bool historyFirst)
    {
        string runId;
        await using (var first = Build(historyFirst))
        {
            runId = (await first.GetRequiredKeyedService<RecoveryWorkflow>("api-failure").RunAsync(RecoveryTrigger.Manual, "ops")).RunId;
        }

        await using var second = Build(historyFirst);

        var history = second.GetRequiredService<RecoveryHistory>();
        history.Directory.Should().Be(Path.GetFullPath(_directory));
        history.GetRuns("api-failure").Should().ContainSingle().Which.RunId.Should().Be(runId);
    }

    private ServiceProvider Build(bool historyFirst)
    {
        var services = new ServiceCollection();
        if (historyFirst)
        {
            services.AddPersistedRecoveryHistory(_directory);
        }

        services.AddRecoveryWorkflow("api-failure", w => w.Step("probe", _ => default));
        if (!historyFirst)
        {
            services.AddPersistedRecoveryHistory(_directory);
        }

        return services.BuildServiceProvider();
    }
}
