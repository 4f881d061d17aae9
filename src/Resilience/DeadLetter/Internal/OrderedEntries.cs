namespace Resilience.DeadLetter.Internal;

/// <summary>
/// A store's entries in id order (ids sort by creation time), kept in order as changes apply — new ids almost always
/// come last, so an add is an append — instead of being sorted again on every read after a write. Readers get an
/// array copy made once per change, never a sort. Not thread-safe: the store's lock guards it.
/// </summary>
internal sealed class OrderedEntries
{
    private readonly List<IndexedEntry> _entries = [];
    private IndexedEntry[]? _copy;

    public void Set(IndexedEntry entry, bool isNew)
    {
        _copy = null;
        if (isNew && (_entries.Count == 0 || string.CompareOrdinal(entry.Id, _entries[^1].Id) > 0))
        {
            _entries.Add(entry);
            return;
        }

        var index = IndexOf(entry.Id);
        if (index >= 0)
        {
            _entries[index] = entry;
        }
        else
        {
            _entries.Insert(~index, entry);
        }
    }

    /// <summary>
    /// Replaces the entry with the same id, looking first just after <paramref name="hint"/> (a caller visiting ids in
    /// order finds each next to the last, without a search); the hint moves to where the entry was found.
    /// </summary>
    public void Replace(IndexedEntry entry, ref int hint)
    {
        _copy = null;
        for (var i = Math.Max(hint, 0); i < Math.Min(hint + 4, _entries.Count); i++)
        {
            if (string.Equals(_entries[i].Id, entry.Id, StringComparison.Ordinal))
            {
                _entries[i] = entry;
                hint = i;
                return;
            }
        }

        var index = IndexOf(entry.Id);
        if (index >= 0)
        {
            _entries[index] = entry;
            hint = index;
        }
    }

    public void Remove(string id)
    {
        var index = IndexOf(id);
        if (index >= 0)
        {
            _copy = null;
            _entries.RemoveAt(index);
        }
    }

    public void Clear()
    {
        _copy = null;
        _entries.Clear();
    }

    /// <summary>Visits entries from the first in order until <paramref name="visit"/> returns <see langword="false"/> (no copy).</summary>
    public void ForEach(Func<IndexedEntry, bool> visit)
    {
        foreach (var entry in _entries)
        {
            if (!visit(entry))
            {
                return;
            }
        }
    }

    /// <summary>Gets a point-in-time copy, shared by readers until the next change.</summary>
    public IndexedEntry[] Snapshot() => _copy ??= [.. _entries];

    private int IndexOf(string id)
    {
        int low = 0, high = _entries.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(_entries[middle].Id, id);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }
}
