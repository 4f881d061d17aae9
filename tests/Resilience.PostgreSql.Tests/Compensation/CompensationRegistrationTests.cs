using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Resilience.Compensation;
using Resilience.DependencyInjection;

namespace Resilience.PostgreSql.Tests.Compensation;

public sealed class CompensationRegistrationTests : CompensationJournalTestBase
{
    [PostgresFact]
    public async Task AddCompensationManager_UsePostgreSql_RecoversAtStartAndRollsBack()
    {
        // An operation a crashed instance left behind, its lease long expired by the container's clock.
        var crashed = Fixture.Journal(new FakeTimeProvider(T0), "crashed");
        await crashed.RegisterStepAsync("order-1", 0, "undo", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes("order-1/inventory", StepJson.Default.String));
        await crashed.DisposeAsync();

        var time = new FakeTimeProvider(T0 + TimeSpan.FromHours(1));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddCompensationManager(
            o => o.UsePostgreSql(PostgresDatabase.RequireConnectionString(), Fixture.Schema, "orders"),
            (manager, _) => Fixture.RegisterUndo(manager));
        await using var provider = services.BuildServiceProvider();

        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        Fixture.Compensated.Should().BeEquivalentTo(new Dictionary<string, int> { ["order-1/inventory"] = 1 });

        var resolved = provider.GetRequiredService<CompensationManager>();
        var scope = resolved.Begin("order-2");
        await scope.RegisterAsync("undo", "order-2/payment");
        await scope.DisposeAsync();
        Fixture.Compensated["order-2/payment"].Should().Be(1);
        (await Fixture.Journal(time, "reader").GetUnfinishedAsync()).Should().BeEmpty();
    }
}
