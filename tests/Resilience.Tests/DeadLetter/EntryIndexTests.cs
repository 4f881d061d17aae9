using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Issue 17, index shape: the store's index keeps ids packed in 16 bytes, entries as structs and the pending heap by
/// slot. Whatever the id looks like, what it gives back must be what was put in, in ordinal id order, and a view must not
/// change when the index does.
/// </summary>
public sealed class EntryIndexTests
{
    private static readonly RecordFile FileA = new("seg-a", null!);
    private static readonly RecordFile FileB = new("seg-b", null!);

    /// <summary>Ids of every shape: generated ULIDs, short ASCII, and ids that must take the fallback.</summary>
    public static readonly string[] IdShapes =
    [
        "01JDXV7Q4ZP3M8K2N6R9T0W5YA", // a canonical ULID
        "7ZZZZZZZZZZZZZZZZZZZZZZZZZ", // the largest ULID
        "8ZZZZZZZZZZZZZZZZZZZZZZZZZ", // Crockford digits but 130 bits: must not pack as a ULID
        "01jdxv7q4zp3m8k2n6r9t0w5ya", // lower case would decode to the same bits: must not pack as a ULID
        "01JDXV7Q4ZP3M8K2N6R9T0W5YI", // 'I' is not a Crockford digit
        "entry-000001",
        "a",
        "sixteen-chars-id",
        "seventeen-chars-i",
        "a\0b",
        "café",
        "order/42?tenant=7",
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    ];

    public static TheoryData<string> Ids() => [.. IdShapes];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Pack_EveryIdThatPacks_UnpacksToTheSameString(string id)
    {
        var kind = EntryKey.Pack(id, out var high, out var low);
        if (kind != EntryKeyKind.Foreign)
        {
            EntryKey.Unpack(kind, high, low).Should().Be(id);
        }
    }

    [Fact]
    public void Pack_GeneratedIds_PackAsUlidsAndCompareInStringOrder()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var ids = new DeadLetterId(time);
        var made = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            made.Add(ids.Next());
            time.Advance(TimeSpan.FromMilliseconds(i % 3));
        }

        var index = new EntryIndex();
        foreach (var id in made.OrderBy(_ => Guid.NewGuid()))
        {
            EntryKey.Pack(id, out _, out _).Should().Be(EntryKeyKind.Ulid);
            index.Set(Entry(id, 0));
        }

        Order(index).Should().Equal(made.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RandomChanges_MixedIds_MatchAModelAndLeaveEarlierViewsUnchanged()
    {
        var random = new Random(17);
        var pool = IdShapes.Concat(Enumerable.Range(0, 600).Select(i => i % 3 == 0 ? $"e-{i:D5}" : i % 3 == 1 ? $"long-user-supplied-id-{i:D5}" : Ulid(i))).ToArray();
        var index = new EntryIndex();
        var model = new Dictionary<string, IndexedEntry>(StringComparer.Ordinal);
        IndexView? view = null;
        List<IndexedEntry>? viewExpected = null;
        for (var step = 0; step < 4000; step++)
        {
            var id = pool[random.Next(pool.Length)];
            if (random.Next(5) == 0)
            {
                index.Remove(id).Should().Be(model.Remove(id));
            }
            else
            {
                var entry = Entry(id, random.Next(1_000)) with
                {
                    Status = (DeadLetterStatus)random.Next(6),
                    OperationType = "type-" + random.Next(4),
                    FailureGroup = random.Next(3) == 0 ? null : "group-" + random.Next(5),
                    ReplayCount = random.Next(4) == 0 ? 2 : 0,
                    Error = random.Next(2) == 0 ? new RecordLocation(FileB, random.Next(100_000), 64) : default,
                    Put = new RecordLocation(random.Next(2) == 0 ? FileA : FileB, random.Next(1_000_000), 40 + random.Next(400)),
                };
                entry = entry.Error == default ? entry with { Error = entry.Put } : entry;
                index.Set(entry);
                model[id] = entry;
            }

            if (step % 500 == 0)
            {
                view = index.View();
                viewExpected = [.. model.Values.OrderBy(e => e.Id, StringComparer.Ordinal)];
            }

            index.Count.Should().Be(model.Count);
            index.TryGet(id, out var found).Should().Be(model.TryGetValue(id, out var expected));
            found.Should().Be(expected, $"step {step}");
            var pending = model.Values.Where(e => e.Status is DeadLetterStatus.Pending or DeadLetterStatus.Retrying).ToList();
            index.OldestPendingTicks.Should().Be(pending.Count == 0 ? null : pending.Min(e => e.CreatedTicks));
            if (step % 97 == 0)
            {
                Order(index).Should().Equal(model.Keys.Order(StringComparer.Ordinal));
                Enumerable.Range(0, view!.Count).Select(i => view[i]).Should().Equal(viewExpected!, "a view does not see later changes");
            }
        }
    }

    [Fact]
    public void EnsureCapacity_ThenInsertsPastItAndRemoves_FindsEveryEntryInOrder()
    {
        var index = new EntryIndex();
        index.EnsureCapacity(300);
        var ids = Enumerable.Range(0, 700).Select(i => i % 2 == 0 ? $"e-{i:D5}" : Ulid(i)).ToList();
        foreach (var id in ids)
        {
            index.Set(Entry(id, ids.IndexOf(id)));
        }

        foreach (var id in ids.Where((_, i) => i % 3 == 0))
        {
            index.Remove(id).Should().BeTrue();
        }

        index.TrimExcess();
        var left = ids.Where((_, i) => i % 3 != 0).ToList();
        index.Count.Should().Be(left.Count);
        left.Where(id => !index.TryGet(id, out var found)).Should().BeEmpty();
        Order(index).Should().Equal(left.Order(StringComparer.Ordinal));
        index.OldestPendingTicks.Should().Be(1);
    }

    // Issue 17: the order was one flat array, so removing the oldest entry (a drained backlog) or adding an id that does
    // not sort last (a GUID) moved every slot after it: 40 MB per change at ten million entries.
    [Fact]
    public void AddAndRemove_AnywhereInALargeIndex_MoveABoundedNumberOfSlots()
    {
        const int Entries = 100_000;
        var ids = Ulids(Entries);
        var index = new EntryIndex();
        for (var i = 0; i < Entries; i++)
        {
            index.Set(Entry(ids[i], i));
        }

        var before = index.OrderSlotsMoved;
        var random = new Random(5);
        const int Changes = 2_000;
        for (var i = 0; i < Changes / 2; i++)
        {
            index.Remove(ids[i]).Should().BeTrue();
            index.Set(Entry(new Guid(random.Next(), 0, 0, new byte[8]).ToString(), Entries + i));
        }

        var perChange = (index.OrderSlotsMoved - before) / (double)Changes;
        perChange.Should().BeLessThan(1_024, "a change moves at most a chunk of the order, not the entries after it");
        index.Count.Should().Be(Entries);
    }

    [Fact]
    public void Order_LongIdsComparedByTheirFirst16Characters_StayInOrdinalOrder()
    {
        // Ids longer than 16 characters are ordered by their first 16 when those are ASCII, and by the strings when
        // those are equal: against each other, against ASCII ids they begin with or that begin them, and beside ids
        // without such a prefix (non-ASCII early, NUL) and ULIDs.
        string[] ids =
        [
            "sixteen-chars-id", "sixteen-chars-id0", "sixteen-chars-id/", "sixteen-chars-ic", "sixteen-chars-ie",
            "sixteen-chars-idé", "sixteen-chars-i", "sixteen-chars-iéxxxxxxx", "sixteen-chars-i\0xxxxxxx",
            "sixteen-chars-id-and-more", "sixteen-chars-id-and-less", "Sixteen-chars-id-upper", "sixteen",
            "01JDXV7Q4ZP3M8K2N6R9T0W5YA", "01JDXV7Q4ZP3M8K2N6R9T0W5YAX", "01JDXV7Q4ZP3M8K2", "~~~~~~~~~~~~~~~~~", "!",
        ];
        var random = new Random(5);
        for (var round = 0; round < 50; round++)
        {
            var index = new EntryIndex();
            foreach (var id in ids.OrderBy(_ => random.Next()))
            {
                index.Set(Entry(id, round));
            }

            Order(index).Should().Equal(ids.Order(StringComparer.Ordinal), $"round {round}");
            foreach (var id in ids.Where((_, i) => (i + round) % 3 == 0))
            {
                index.Remove(id).Should().BeTrue();
            }

            Order(index).Should().Equal(ids.Where((_, i) => (i + round) % 3 != 0).Order(StringComparer.Ordinal), $"round {round}, after removals");
        }
    }

    [Fact]
    public void RandomChanges_ManyEntries_KeepTheOrderOfAModelAndEarlierViewsUnchanged()
    {
        // Enough entries for the order's chunks to split, drain and merge; views taken along the way must not change.
        var random = new Random(23);
        var generated = Ulids(20_000);
        var index = new EntryIndex();
        var model = new SortedSet<string>(StringComparer.Ordinal);
        var views = new List<(IndexView View, string[] Expected)>();
        var next = 0;
        for (var step = 0; step < 30_000; step++)
        {
            var roll = random.Next(10);
            if (roll < 5)
            {
                // Mostly appends (generated ids), some anywhere.
                var id = roll < 3 ? generated[next++] : $"user-{random.Next(1_000_000):D7}";
                index.Set(Entry(id, step));
                model.Add(id);
            }
            else if (model.Count > 0)
            {
                // The oldest (a drain), or one anywhere.
                var id = roll < 8 ? model.Min! : model.ElementAt(random.Next(model.Count));
                index.Remove(id).Should().BeTrue();
                model.Remove(id);
            }

            if (step % 3_000 == 0)
            {
                views.Add((index.View(), [.. model]));
            }
        }

        index.Count.Should().Be(model.Count);
        Order(index).Should().Equal(model, "the live order is the ordinal order of the ids");
        foreach (var (view, expected) in views)
        {
            Enumerable.Range(0, view.Count).Select(i => view[i].Id).Should().Equal(expected, "a view does not see later changes");
        }
    }

    [Fact]
    public void VisitDue_AfterRandomChanges_GivesThePendingEntriesOfTheChosenTypesEarliestFirst()
    {
        var random = new Random(41);
        var pool = Enumerable.Range(0, 3_000).Select(i => i % 2 == 0 ? $"e-{i:D5}" : $"long-user-supplied-id-{i:D5}").ToArray();
        var index = new EntryIndex();
        var model = new Dictionary<string, IndexedEntry>(StringComparer.Ordinal);
        for (var step = 0; step < 20_000; step++)
        {
            var id = pool[random.Next(pool.Length)];
            if (random.Next(6) == 0)
            {
                index.Remove(id).Should().Be(model.Remove(id));
            }
            else
            {
                var entry = Entry(id, random.Next(1_000)) with
                {
                    Status = (DeadLetterStatus)random.Next(6),
                    OperationType = "type-" + random.Next(4),
                    NextAttemptTicks = random.Next(8) == 0 ? IndexedEntry.NoTime : random.Next(500),
                };
                index.Set(entry);
                model[id] = entry;
            }

            // The due order is built on first use (step 3,000), then kept up to date by every change.
            if (step >= 3_000 && step % 1_000 == 0)
            {
                var visited = new List<(string Id, long Due)>();
                index.VisitDue(type => type != "type-3", (visitedId, due) =>
                {
                    visited.Add((visitedId, due));
                    return true;
                });

                var expected = model.Values.Where(e => e.Status == DeadLetterStatus.Pending && e.OperationType != "type-3").ToList();
                visited.Select(v => v.Id).Order(StringComparer.Ordinal).Should().Equal(expected.Select(e => e.Id).Order(StringComparer.Ordinal), $"step {step}");
                visited.Select(v => v.Due).Should().BeInAscendingOrder("earliest due first");
                visited.Where(v => v.Due != model[v.Id].NextAttemptTicks).Should().BeEmpty();

                var first = new List<string>();
                index.VisitDue(_ => true, (visitedId, _) =>
                {
                    first.Add(visitedId);
                    return first.Count < 3;
                });
                first.Should().HaveCount(Math.Min(3, model.Values.Count(e => e.Status == DeadLetterStatus.Pending)), "a visit stops when told");
            }
        }
    }

    [Fact]
    public void IdsInOrderBeforeStoredOnes_WithRemovalsBetween_StayInIdOrder()
    {
        // The order tries the place after its last insert before a binary search: ids that arrive in order but sort
        // before the stored ones (of all three kinds) go there, and removals in between move that place.
        var index = new EntryIndex();
        var stored = Enumerable.Range(0, 50).Select(i => i % 2 == 0 ? $"zz-{i:D4}" : $"zz-long-user-supplied-id-{i:D4}").ToList();
        var added = Enumerable.Range(0, 600).Select(i => (i % 3) switch
        {
            0 => $"a-{i:D5}",
            1 => $"a-long-user-supplied-id-{i:D5}",
            _ => $"m-{i:D5}",
        }).ToList();
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var id in stored)
        {
            index.Set(Entry(id, 1));
            expected.Add(id);
        }

        for (var i = 0; i < added.Count; i++)
        {
            index.Set(Entry(added[i], 2));
            expected.Add(added[i]);
            if (i % 7 == 3)
            {
                var gone = i % 2 == 0 ? added[i / 2] : stored[i % stored.Count];
                index.Remove(gone).Should().Be(expected.Remove(gone));
            }
        }

        Order(index).Should().Equal(expected);
        index.Count.Should().Be(expected.Count);
    }

    [Fact]
    public void IndexRow_Is96Bytes()
    {
        // The row is most of the memory per entry: a field declared out of order pads it (it was 104 bytes once).
        System.Runtime.CompilerServices.Unsafe.SizeOf<IndexRow>().Should().Be(96);
    }

    [Fact]
    public void Relocate_MovesOnlyTheLocationsThatWereCaptured()
    {
        var index = new EntryIndex();
        var put = new RecordLocation(FileA, 100, 64);
        var state = new RecordLocation(FileA, 400, 32);
        index.Set(Entry("moved-both", 1) with { Put = put, Error = put });
        index.Set(Entry("error-later", 2) with { Put = put with { Offset = 200 }, Error = state });
        var moved = new RecordLocation(FileB, 8, 80);

        index.Relocate("moved-both", put, put, moved).Should().Be(16);
        index.Relocate("error-later", put with { Offset = 200 }, put with { Offset = 200 }, moved).Should().Be(16);

        index.TryGet("moved-both", out var both).Should().BeTrue();
        both!.Put.Should().Be(moved);
        both.Error.Should().Be(moved);
        index.TryGet("error-later", out var later).Should().BeTrue();
        later!.Put.Should().Be(moved);
        later.Error.Should().Be(state, "a state change after the capture keeps its own record");
    }

    private static List<string> Order(EntryIndex index)
    {
        var ids = new List<string>();
        index.ForEach(e =>
        {
            ids.Add(e.Id);
            return true;
        });
        return ids;
    }

    /// <summary>Queue-made ids in creation order, one millisecond apart.</summary>
    private static string[] Ulids(int count)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(50));
        var generator = new DeadLetterId(time);
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = generator.Next();
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        return ids;
    }

    private static string Ulid(int i)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(i));
        return new DeadLetterId(time).Next();
    }

    private static IndexedEntry Entry(string id, long created) => new()
    {
        Id = id,
        OperationType = "charge-card",
        CreatedTicks = created,
        UpdatedTicks = created + 1,
        NextAttemptTicks = IndexedEntry.NoTime,
        Version = created + 7,
        PayloadLength = 12,
        Put = new RecordLocation(FileA, created * 64, 64),
        Error = new RecordLocation(FileA, created * 64, 64),
    };
}
