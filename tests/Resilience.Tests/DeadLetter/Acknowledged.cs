using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// What a store acknowledged, per id in order: every version saved and whether a delete came last. Used to check
/// that a store (after any damage) returns nothing but acknowledged versions and never an acknowledged-deleted entry.
/// </summary>
internal sealed class Acknowledged
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<DeadLetterEntry>> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeadLetterEntry?> _latest = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, DeadLetterEntry?> Latest
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, DeadLetterEntry?>(_latest, StringComparer.Ordinal);
            }
        }
    }

    public void Put(DeadLetterEntry entry)
    {
        lock (_lock)
        {
            if (!_versions.TryGetValue(entry.Id, out var list))
            {
                _versions[entry.Id] = list = [];
            }

            list.Add(entry);
            _latest[entry.Id] = entry;
        }
    }

    public void Delete(string id)
    {
        lock (_lock)
        {
            _latest[id] = null;
        }
    }

    /// <summary>Every entry the store returns equals an acknowledged version of it (no wrong read).</summary>
    public void AssertOnlyAcknowledgedVersions(FileDeadLetterStore store)
    {
        foreach (var entry in store.GetAll())
        {
            List<DeadLetterEntry>? versions;
            lock (_lock)
            {
                versions = _versions.GetValueOrDefault(entry.Id);
            }

            versions.Should().NotBeNull($"entry '{entry.Id}' was never acknowledged");
            versions!.Any(v => Same(v, entry)).Should().BeTrue($"entry '{entry.Id}' (status {entry.Status}, attempt {entry.AttemptCount}) must equal an acknowledged version of it");
        }
    }

    /// <summary>Every entry whose last acknowledged operation was a delete is absent (nothing resurrected).</summary>
    public void AssertNoDeletedEntry(FileDeadLetterStore store)
    {
        foreach (var (id, latest) in Latest)
        {
            if (latest is null)
            {
                store.Find(id).Should().BeNull($"entry '{id}' was deleted and the delete was acknowledged");
            }
        }
    }

    /// <summary>The store holds exactly the latest acknowledged state of every id.</summary>
    public void AssertExactly(FileDeadLetterStore store, string because)
    {
        var latest = Latest;
        var missing = latest.Where(p => p.Value is not null && store.Find(p.Key) is null).Select(p => p.Key).ToList();
        var resurrected = latest.Where(p => p.Value is null && store.Find(p.Key) is not null).Select(p => p.Key).ToList();
        var unknown = store.GetAll().Where(e => !latest.ContainsKey(e.Id)).Select(e => e.Id).ToList();
        var stale = latest.Where(p => p.Value is not null && store.Find(p.Key) is { } found && !Same(found, p.Value)).Select(p => p.Key).ToList();
        missing.Should().BeEmpty($"{because}: {missing.Count} acknowledged entries are missing (of {latest.Count(p => p.Value is not null)})");
        resurrected.Should().BeEmpty($"{because}: {resurrected.Count} acknowledged deletes were undone");
        unknown.Should().BeEmpty($"{because}: {unknown.Count} entries were never acknowledged");
        stale.Should().BeEmpty($"{because}: {stale.Count} entries differ from their last acknowledged state");
    }

    private static bool Same(DeadLetterEntry a, DeadLetterEntry b) =>
        a.Id == b.Id && a.OperationType == b.OperationType && a.CreatedAt == b.CreatedAt && a.UpdatedAt == b.UpdatedAt
        && a.Error == b.Error && a.Payload.Span.SequenceEqual(b.Payload.Span)
        && a.Context.Count == b.Context.Count && a.Context.All(p => b.Context.TryGetValue(p.Key, out var v) && v == p.Value)
        && a.AttemptCount == b.AttemptCount && a.MaxAttempts == b.MaxAttempts && a.NextAttemptAt == b.NextAttemptAt && a.Status == b.Status;
}
