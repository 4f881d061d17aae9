using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>Retention is kept while nothing is due: a queue that went quiet still forgets what it was told to.</summary>
public sealed class IdleRetentionTests
{
    [Fact]
    public async Task RecoveredEntry_OfAQuietQueue_IsDeletedOnceItsRetentionHasPassed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { TimeProvider = time, Randomizer = () => 0, Retention = TimeSpan.FromHours(1) });
        queue.RegisterHandler("email", (_, _) => default);
        var entry = await queue.AddAsync("email", "x"u8.ToArray(), new IOException("smtp down"));
        queue.Processor.Start();
        time.Advance(TimeSpan.FromSeconds(1));
        await queue.Processor.WaitForIdleAsync();
        queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Recovered);

        for (var minute = 0; minute < 62; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await queue.Processor.WaitForIdleAsync();
        }

        queue.Get(entry.Id).Should().BeNull("an hour after it was recovered, with nothing else due, the sweep still ran");
    }
}
