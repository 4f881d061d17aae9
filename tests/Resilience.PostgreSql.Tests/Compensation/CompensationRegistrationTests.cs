using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Resilience.Compensation;
using Resilience.DependencyInjection;

namespace Resilience.PostgreSql.Tests.Compensation;

public sealed class CompensationRegistrationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private CompensationJournalFixture _fixture = null!;

    public Task InitializeAsync()
    {
        _fixture = new CompensationJournalFixture();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (PostgresDatabase.ConnectionString is not null)
        {
            await _fixture.CleanUpAsync();
        }
    }

    [PostgresFact]
    public async Task AddCompensationManager_UsePostgreSql_RecoversAtStartAndRollsBack()
    {
        // An operation a crashed instance left behind, its lease long expired by the container's clock.
        var crashed = _fixture.Journal(new FakeTimeProvider(T0), "crashed");
        await crashed.RegisterStepAsync("order-1", 0, "undo", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes("order-1/inventory", StepJson.Default.String));
        await crashed.DisposeAsync();

        var time = new FakeTimeProvider(T0 + TimeSpan.FromHours(1));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddCompensationManager(
            o => o.UsePostgreSql(PostgresDatabase.RequireConnectionString(), _fixture.Schema, "orders"),
            (manager, _) => _fixture.RegisterUndo(manager));
        await using var provider = services.BuildServiceProvider();

        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        _fixture.Compensated.Should().BeEquivalentTo(new Dictionary<string, int> { ["order-1/inventory"] = 1 });

        var resolved = provider.GetRequiredService<CompensationManager>();
        var scope = resolved.Begin("order-2");
        await scope.RegisterAsync("undo", "order-2/payment");
        await scope.DisposeAsync();
        _fixture.Compensated["order-2/payment"].Should().Be(1);
        (await _fixture.Journal(time, "reader").GetUnfinishedAsync()).Should().BeEmpty();
    }
}
