namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The index at one point in time, in id order: its pages and order chunks (copied on write by the live index from then on),
/// and copies of the number tables. Entries are made one at a time as they are read, so a compaction's capture or a
/// scan of a million entries holds no million objects.
/// </summary>
internal sealed class IndexView
{
    private readonly IndexPage[] _pages;
    private readonly OrderChunk[] _chunks;
    private readonly int[] _starts;
    private readonly RecordFile?[] _files;
    private readonly string?[] _types;
    private readonly string?[] _groups;

    // The chunk the last position fell in: readers go through a view in order, so the next is almost always in it.
    // Shared by the view's readers without a lock: a stale value is only a guess, checked before use.
    private int _hint;

    public IndexView(IndexPage[] pages, OrderChunk[] chunks, int count, RecordFile?[] files, string?[] types, string?[] groups)
    {
        _pages = pages;
        _chunks = chunks;
        _files = files;
        _types = types;
        _groups = groups;
        _starts = new int[chunks.Length + 1];
        for (var i = 0; i < chunks.Length; i++)
        {
            _starts[i + 1] = _starts[i] + _chunks[i].Count;
        }

        Count = count;
    }

    public int Count { get; }

    public int SlotAt(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, Count);
        var chunk = _hint;
        if (position < _starts[chunk] || position >= _starts[chunk + 1])
        {
            if (chunk + 1 < _chunks.Length && position >= _starts[chunk + 1] && position < _starts[chunk + 2])
            {
                chunk++;
            }
            else
            {
                // Starts rise strictly (no chunk is empty): an exact hit is the chunk's first slot.
                var found = Array.BinarySearch(_starts, 0, _chunks.Length, position);
                chunk = found >= 0 ? found : ~found - 1;
            }

            _hint = chunk;
        }

        return _chunks[chunk].Slots[position - _starts[chunk]];
    }

    public ref readonly IndexRow RowOf(int slot) => ref _pages[slot >> IndexPage.Shift].Rows[slot & IndexPage.Mask];

    public SlotExtras? ExtrasOf(int slot) => RowOf(slot).HasExtras ? _pages[slot >> IndexPage.Shift].Extras![slot & IndexPage.Mask] : null;

    /// <summary>Gets where the entry in the slot had its Put and its latest error when the view was taken.</summary>
    public (RecordLocation Put, RecordLocation Error) LocationsOf(int slot)
    {
        ref readonly var row = ref RowOf(slot);
        var put = new RecordLocation(_files[row.PutFile]!, row.PutOffset, row.PutLength);
        var extras = ExtrasOf(slot);
        return (put, extras is { HasError: true } ? new RecordLocation(_files[extras.ErrorFile]!, extras.ErrorOffset, extras.ErrorLength) : put);
    }

    public IndexedEntry this[int position]
    {
        get
        {
            var slot = SlotAt(position);
            return EntryIndex.Materialize(_pages[slot >> IndexPage.Shift], slot, id: null, _files, _types, _groups);
        }
    }
}
