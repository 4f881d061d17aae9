using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Payload records of a snapshot are verified when they are read, not when the store opens (issue 17's fast
/// reopen). A record found damaged then must cost only its own entry: the processor goes on with the others.
/// </summary>
public sealed class DamagedRecordProcessingTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task PayloadRecordDamagedInTheSnapshot_TheProcessorRetriesEveryOtherEntry()
    {
        var payloads = Enumerable.Range(0, 5).Select(i => System.Text.Encoding.UTF8.GetBytes($"payload-{i}-" + new string('x', 40))).ToList();
        var ids = new List<string>();
        await using (var queue = Open())
        {
            foreach (var payload in payloads)
            {
                ids.Add((await queue.AddAsync("email", payload, new IOException("smtp down"))).Id);
            }

            await ((FileDeadLetterStore)queue.Store).CompactAsync();
        }

        StoreFiles.Damage(Directory.GetFiles(_dir.Path, "snap-*.bin").Single(), payloads[2]);

        var handled = new List<string>();
        await using (var queue = Open())
        {
            queue.RegisterHandler("email", (entry, _) =>
            {
                lock (handled)
                {
                    handled.Add(System.Text.Encoding.UTF8.GetString(entry.Entry.Payload.Span));
                }

                return default;
            });
            queue.Processor.Start();
            for (var i = 0; i < 5; i++)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                await queue.Processor.WaitForIdleAsync();
            }

            handled.Should().BeEquivalentTo(payloads.Where((_, i) => i != 2).Select(p => System.Text.Encoding.UTF8.GetString(p)), "one damaged record costs only its own entry");
            foreach (var id in ids.Where((_, i) => i != 2))
            {
                queue.Get(id)!.Status.Should().Be(DeadLetterStatus.Recovered);
            }

            // The documented way out: delete it by id; the next compaction leaves the damaged bytes behind.
            await queue.Store.DeleteAsync([ids[2]]);
            await ((FileDeadLetterStore)queue.Store).CompactAsync();
        }

        await using var reopened = Open();
        reopened.Store.Count.Should().Be(4);
        foreach (var id in ids.Where((_, i) => i != 2))
        {
            reopened.Get(id)!.Status.Should().Be(DeadLetterStatus.Recovered);
        }
    }

    private DeadLetterQueue Open() => DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = _dir.Path, TimeProvider = _time, Randomizer = () => 0 });
}
