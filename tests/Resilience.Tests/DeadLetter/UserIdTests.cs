using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Issue 17: the index packs generated ULIDs and short ASCII ids into 16 bytes and keeps every other id as a string
/// beside its row. Ids supplied by callers, of any shape, must come back exactly, be found, listed in ordinal order and
/// deleted, live, after compactions move their records into a snapshot, and after a reopen.
/// </summary>
public sealed class UserIdTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task UserIds_OfEveryShape_RoundTripAcrossStateChangesCompactionAndReopen()
    {
        var ids = EntryIndexTests.IdShapes.ToList();
        var options = new FileDeadLetterStoreOptions { Directory = _dir.Path, SegmentSize = 8192 };
        var expected = new Dictionary<string, DeadLetterEntry>(StringComparer.Ordinal);
        await using (var store = FileDeadLetterStore.Open(options))
        {
            for (var i = 0; i < ids.Count; i++)
            {
                var entry = TestEntries.Create(i, payloadBytes: 30 + i) with { Id = ids[i] };
                await store.SaveAsync([entry]);
                expected[entry.Id] = entry;
            }

            await store.CompactAsync();
            for (var i = 0; i < ids.Count; i += 2)
            {
                var changed = store.Find(ids[i])! with { Status = DeadLetterStatus.Retrying, AttemptCount = 3, Error = expected[ids[i]].Error with { Message = "later" } };
                (await store.TryUpdateAsync(changed)).Should().NotBeNull();
                expected[ids[i]] = changed;
            }

            await store.DeleteAsync([ids[1], ids[^1]]);
            expected.Remove(ids[1]);
            expected.Remove(ids[^1]);
            await store.CompactAsync();
            Check(store, expected);
        }

        await using var reopened = FileDeadLetterStore.Open(options);
        Check(reopened, expected);
    }

    private static void Check(FileDeadLetterStore store, Dictionary<string, DeadLetterEntry> expected)
    {
        store.Count.Should().Be(expected.Count);
        foreach (var entry in expected.Values)
        {
            store.Find(entry.Id)!.ShouldMatch(entry);
        }

        store.GetAll().Select(e => e.Id).Should().Equal(expected.Keys.Order(StringComparer.Ordinal));
        store.Summaries().Select(s => s.Id).Should().Equal(expected.Keys.Order(StringComparer.Ordinal));
        store.Find("missing-id").Should().BeNull();
    }
}
