namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The slots in ordinal id order, in chunks of at most <see cref="OrderChunk.Capacity"/> slots, in order within and
/// across chunks. An add or a remove moves the slots of one chunk at most (and the chunk table when a chunk splits,
/// merges or empties), whatever the id: a flat array moved every slot after the place, 40 MB per change at ten million
/// entries when the oldest entry left or an id that does not sort last (a GUID) came in. New ids almost always come
/// last (generated ids sort by creation time), so an add is usually an append. Two packed ids of one kind compare as
/// numbers; only ids of different kinds are compared as strings. A view shares the chunks: one a view holds is copied
/// before it changes.
/// </summary>
internal sealed partial class EntryIndex
{
    private OrderChunk[] _chunks = [];
    private int _chunkCount;
    private int _orderCount;

    // Chunks that emptied and no view holds, for the next ones needed: a queue drained at one end and filled at the
    // other then allocates no chunk.
    private readonly Stack<OrderChunk> _spareChunks = new();

    // Where the last insert went (chunk, position, slot): ids that arrive in order but sort before stored ones go right
    // after it, found without a search (a search reads a row per step, most of them cache misses). Checked before use.
    private int _hintChunk = -1;
    private int _hintAt;
    private int _hintSlot;

    /// <summary>Gets how many slots keeping the order has moved so far (what an add or a remove costs; tests bound it).</summary>
    internal long OrderSlotsMoved { get; private set; }

    private int Compare(int a, int b)
    {
        ref readonly var x = ref Row(a);
        ref readonly var y = ref Row(b);
        if (x.Kind == y.Kind && x.Kind != EntryKeyKind.Foreign)
        {
            var high = x.KeyHigh.CompareTo(y.KeyHigh);
            return high != 0 ? high : x.KeyLow.CompareTo(y.KeyLow);
        }

        if (EntryKey.PrefixOrders(x.Kind, x.KeyHigh, y.Kind, y.KeyHigh))
        {
            // A foreign id's row holds its first 16 characters: most comparisons end there, without the strings.
            var high = x.KeyHigh.CompareTo(y.KeyHigh);
            if (high != 0)
            {
                return high;
            }

            var low = x.KeyLow.CompareTo(y.KeyLow);
            if (low != 0)
            {
                return low;
            }
        }

        return CompareAsStrings(a, b);
    }

    // Ids of different kinds compare as the strings they are, formatted on the stack (no string per comparison); apart,
    // so the common comparison of two packed ids has no stack buffers.
    private int CompareAsStrings(int a, int b)
    {
        Span<char> left = stackalloc char[EntryKey.MaxPackedLength];
        Span<char> right = stackalloc char[EntryKey.MaxPackedLength];
        return IdChars(a, left).SequenceCompareTo(IdChars(b, right));
    }

    private ReadOnlySpan<char> IdChars(int slot, Span<char> buffer)
    {
        ref readonly var row = ref Row(slot);
        return row.Kind == EntryKeyKind.Foreign
            ? _pages[slot >> IndexPage.Shift].Extras![slot & IndexPage.Mask]!.ForeignId
            : buffer[..EntryKey.Format(row.Kind, row.KeyHigh, row.KeyLow, buffer)];
    }

    private void AddToOrder(int slot)
    {
        int chunk;
        int at;
        var last = _chunkCount == 0 ? null : _chunks[_chunkCount - 1];
        if (last is null || Compare(last.Slots[last.Count - 1], slot) < 0)
        {
            chunk = _chunkCount - 1;
            at = last?.Count ?? OrderChunk.Capacity;
        }
        else if (!TryAfterLastInsert(slot, out chunk, out at))
        {
            // Some chunk's last slot sorts after this one (the last chunk's does).
            chunk = FindChunk(slot);
            at = ~Search(_chunks[chunk], slot);
        }

        if (at == OrderChunk.Capacity)
        {
            // After a full chunk (or into an empty order): a chunk of its own.
            InsertChunk(++chunk, NewChunk());
            at = 0;
        }
        else if (_chunks[chunk].Count == OrderChunk.Capacity)
        {
            Split(chunk);
            var kept = _chunks[chunk].Count;
            if (at > kept)
            {
                chunk++;
                at -= kept;
            }
        }

        var writable = WritableChunk(chunk);
        Array.Copy(writable.Slots, at, writable.Slots, at + 1, writable.Count - at);
        OrderSlotsMoved += writable.Count - at;
        writable.Slots[at] = slot;
        writable.Count++;
        _orderCount++;
        (_hintChunk, _hintAt, _hintSlot) = (chunk, at, slot);
    }

    /// <summary>Whether the slot goes right after the last one inserted (still where it went, and the next sorts after).</summary>
    private bool TryAfterLastInsert(int slot, out int chunk, out int at)
    {
        chunk = _hintChunk;
        at = _hintAt + 1;
        if ((uint)chunk >= (uint)_chunkCount || _hintAt >= _chunks[chunk].Count || _chunks[chunk].Slots[_hintAt] != _hintSlot
            || Compare(_hintSlot, slot) >= 0)
        {
            return false;
        }

        var current = _chunks[chunk];
        return at < current.Count ? Compare(current.Slots[at], slot) > 0
            : chunk + 1 < _chunkCount && Compare(_chunks[chunk + 1].Slots[0], slot) > 0;
    }

    private void RemoveFromOrder(int slot)
    {
        var chunk = FindChunk(slot, inclusive: true);
        if (chunk == _chunkCount)
        {
            return;
        }

        var at = Search(_chunks[chunk], slot);
        if (at < 0)
        {
            return;
        }

        var writable = WritableChunk(chunk);
        writable.Count--;
        Array.Copy(writable.Slots, at + 1, writable.Slots, at, writable.Count - at);
        OrderSlotsMoved += writable.Count - at;
        _orderCount--;
        if (writable.Count == 0)
        {
            RemoveChunk(chunk);
        }
        else if (writable.Count < OrderChunk.Capacity / 4)
        {
            MergeIfSmall(chunk);
        }
    }

    /// <summary>Finds the first chunk whose last slot sorts after <paramref name="slot"/> (or is it, if inclusive); the chunk count if none.</summary>
    private int FindChunk(int slot, bool inclusive = false)
    {
        int low = 0, high = _chunkCount - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var chunk = _chunks[middle];
            var last = chunk.Slots[chunk.Count - 1];
            var order = last == slot ? 0 : Compare(last, slot);
            if (order > 0 || (order == 0 && inclusive))
            {
                high = middle - 1;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    /// <summary>Finds the slot's position in the chunk, or the complement of where it would go.</summary>
    private int Search(OrderChunk chunk, int slot)
    {
        var slots = chunk.Slots;
        int low = 0, high = chunk.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = slots[middle] == slot ? 0 : Compare(slots[middle], slot);
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

    private void Split(int chunk)
    {
        var full = WritableChunk(chunk);
        var right = NewChunk();
        right.Count = full.Count / 2;
        full.Count -= right.Count;
        Array.Copy(full.Slots, full.Count, right.Slots, 0, right.Count);
        OrderSlotsMoved += right.Count;
        InsertChunk(chunk + 1, right);
    }

    /// <summary>Joins a chunk that fell below a quarter with a neighbour, when both fit in three quarters of one.</summary>
    private void MergeIfSmall(int chunk)
    {
        int left;
        if (chunk + 1 < _chunkCount && _chunks[chunk].Count + _chunks[chunk + 1].Count <= OrderChunk.Capacity * 3 / 4)
        {
            left = chunk;
        }
        else if (chunk > 0 && _chunks[chunk - 1].Count + _chunks[chunk].Count <= OrderChunk.Capacity * 3 / 4)
        {
            left = chunk - 1;
        }
        else
        {
            return;
        }

        var into = WritableChunk(left);
        var from = _chunks[left + 1];
        Array.Copy(from.Slots, 0, into.Slots, into.Count, from.Count);
        OrderSlotsMoved += from.Count;
        into.Count += from.Count;
        RemoveChunk(left + 1);
    }

    private void InsertChunk(int at, OrderChunk chunk)
    {
        if (_chunkCount == _chunks.Length)
        {
            Array.Resize(ref _chunks, _chunks.Length + Math.Max(16, _chunks.Length / 4));
        }

        Array.Copy(_chunks, at, _chunks, at + 1, _chunkCount - at);
        _chunks[at] = chunk;
        _chunkCount++;
    }

    private OrderChunk NewChunk()
    {
        if (_spareChunks.TryPop(out var spare))
        {
            spare.Epoch = _epoch;
            return spare;
        }

        return new OrderChunk(_epoch);
    }

    private void RemoveChunk(int at)
    {
        var removed = _chunks[at];
        if (removed.Epoch > _frozenAt && _spareChunks.Count < 64)
        {
            removed.Count = 0;
            _spareChunks.Push(removed);
        }

        _chunkCount--;
        Array.Copy(_chunks, at + 1, _chunks, at, _chunkCount - at);
        _chunks[_chunkCount] = null!;
    }

    /// <summary>Gets the chunk for writing, copying it first if a view shares it.</summary>
    private OrderChunk WritableChunk(int chunk)
    {
        ref var slot = ref _chunks[chunk];
        if (slot.Epoch <= _frozenAt)
        {
            slot = slot.Clone(_epoch);
        }

        return slot;
    }

    private void EnsureOrderCapacity(int entries)
    {
        var chunks = (entries / OrderChunk.Capacity) + 1;
        if (_chunks.Length < chunks)
        {
            Array.Resize(ref _chunks, chunks);
        }
    }

    private void TrimOrder() => Array.Resize(ref _chunks, Math.Max(16, _chunkCount));

    private void ClearOrder()
    {
        _chunks = [];
        _chunkCount = 0;
        _orderCount = 0;
        _hintChunk = -1;
        _spareChunks.Clear();
    }

    /// <summary>Visits the slots in order until <paramref name="visit"/> returns <see langword="false"/>.</summary>
    private void ForEachSlot(Func<int, bool> visit)
    {
        for (var c = 0; c < _chunkCount; c++)
        {
            var chunk = _chunks[c];
            for (var i = 0; i < chunk.Count; i++)
            {
                if (!visit(chunk.Slots[i]))
                {
                    return;
                }
            }
        }
    }

    private OrderChunk[] FreezeOrder() => _chunks[.._chunkCount];
}
