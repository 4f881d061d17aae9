using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Resilience.DeadLetter;

namespace Resilience.DependencyInjection.Tests;

/// <summary>Issue 18, point 13: the queue's handlers can be registered where the queue is (like AddCompensationManager's callback).</summary>
public class DeadLetterQueueRegistrationTests
{
    [Fact]
    public async Task AddDeadLetterQueue_FromASection_RegistersHandlersThroughTheCallback()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DLQ:Name"] = "payments", ["DLQ:MaxAttempts"] = "3" }).Build();
        await using var services = new ServiceCollection()
            .AddSingleton(new ChargeService())
            .AddDeadLetterQueue(configuration.GetSection("DLQ"), (queue, sp) => queue.RegisterHandler("charge", (_, _) => sp.GetRequiredService<ChargeService>().ChargeAsync()))
            .BuildServiceProvider();
        var queue = services.GetRequiredService<DeadLetterQueue>();

        var entry = await queue.AddAsync("charge", "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });
        await queue.ReplayAsync(entry.Id);
        queue.Processor.Start();
        await queue.Processor.WaitForIdleAsync();

        services.GetRequiredService<ChargeService>().Charges.Should().Be(1);
        entry.MaxAttempts.Should().Be(3);
        queue.GetStatistics().OperationTypesWithoutHandler.Should().BeEmpty();
    }

    [Fact]
    public async Task AddDeadLetterQueue_WithOptions_RegistersHandlersThroughTheCallback()
    {
        await using var services = new ServiceCollection()
            .AddDeadLetterQueue(o => o.MaxAttempts = 2, (queue, _) => queue.RegisterHandler("ship", (_, _) => default))
            .BuildServiceProvider();
        var queue = services.GetRequiredService<DeadLetterQueue>();

        await queue.AddAsync("ship", "x"u8.ToArray(), new DeadLetterError { Type = "E", Message = "m" });

        queue.GetStatistics().OperationTypesWithoutHandler.Should().BeEmpty();
    }

    private sealed class ChargeService
    {
        public int Charges { get; private set; }

        public ValueTask ChargeAsync()
        {
            Charges++;
            return default;
        }
    }
}
