using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The in-memory index of a <see cref="FileDeadLetterStore"/> (issue 17): one <see cref="IndexRow"/> struct per entry in
/// pages addressed by an int slot, an open-addressing hash from packed id to slot, the slots in id order, and a heap
/// of pending slots by creation time. About 110 bytes per entry and no object per entry; strings and
/// <see cref="IndexedEntry"/> objects are made only for what a caller reads. Not thread-safe: the store's lock guards it.
/// </summary>
internal sealed partial class EntryIndex
{
    private readonly InternTable<RecordFile> _files = new(1 << 20);
    private readonly InternTable<string> _types = new(ushort.MaxValue + 1, StringComparer.Ordinal);
    private readonly InternTable<string> _groups = new(int.MaxValue - 1, StringComparer.Ordinal);
    private readonly Dictionary<string, int> _foreign = new(StringComparer.Ordinal);
    private readonly Stack<int> _freeSlots = new();
    private IndexPage[] _pages = [];
    private int _pageCount;
    private int _slotCount;
    private int _count;
    private int _epoch = 1;
    private int _frozenAt;
    private IndexView? _view;

    // The last lookup that missed, so the insert that follows it needs no second probe.
    private string? _missId;
    private int _missBucket;
    private int _missVersion;

    // The id packed last: a change looks its id up, then sets it, so each id is packed once, not twice.
    private string? _packedId;
    private EntryKeyKind _packedKind;
    private ulong _packedHigh;
    private ulong _packedLow;

    public int Count => _count;

    public bool TryGet(string id, [NotNullWhen(true)] out IndexedEntry? entry)
    {
        var slot = FindSlot(id);
        entry = slot < 0 ? null : Materialize(slot, id);
        return entry is not null;
    }

    /// <summary>Inserts the entry, or replaces the one with its id.</summary>
    public void Set(IndexedEntry entry) => Set(
        entry.Id,
        entry.OperationType,
        entry.FailureGroup,
        entry.Put,
        entry.Error,
        entry.ReplayCount,
        entry.LastReplayedTicks,
        new IndexRow
        {
            CreatedTicks = entry.CreatedTicks,
            UpdatedTicks = entry.UpdatedTicks,
            NextAttemptTicks = entry.NextAttemptTicks,
            Version = entry.Version,
            FirstFailedTicks = entry.FirstFailedTicks,
            LastFailedTicks = entry.LastFailedTicks,
            PayloadLength = entry.PayloadLength,
            AttemptCount = entry.AttemptCount,
            MaxAttempts = entry.MaxAttempts,
            Status = (byte)entry.Status,
            Reason = (byte)entry.Reason,
        });

    /// <summary>
    /// Inserts (or replaces) the entry a Put change describes, at <paramref name="version"/>, its record at
    /// <paramref name="location"/>: straight from the change into the row, with no <see cref="IndexedEntry"/> made
    /// (the write path would allocate one per write only to copy it).
    /// </summary>
    public void SetPut(string id, DeadLetterChange change, long version, RecordLocation location) => Set(
        id,
        change.OperationType,
        change.Failure.Group,
        location,
        location,
        change.Failure.ReplayCount,
        change.Failure.LastReplayed,
        new IndexRow
        {
            CreatedTicks = change.CreatedTicks,
            UpdatedTicks = change.UpdatedTicks,
            NextAttemptTicks = change.NextAttemptTicks,
            Version = version,
            FirstFailedTicks = change.Failure.FirstFailed,
            LastFailedTicks = change.Failure.LastFailed,
            PayloadLength = change.PayloadLength,
            AttemptCount = change.AttemptCount,
            MaxAttempts = change.MaxAttempts,
            Status = (byte)change.Status,
            Reason = (byte)change.Failure.Reason,
        });

    public bool Remove(string id)
    {
        var slot = FindSlot(id);
        if (slot < 0)
        {
            return false;
        }

        _view = null;
        RemoveFromOrder(slot);
        ref readonly var row = ref Row(slot);
        if (row.Kind == EntryKeyKind.Foreign)
        {
            _foreign.Remove(id);
        }
        else
        {
            RemoveFromHash(slot);
        }

        ReleaseRow(slot);
        var page = WritablePage(slot);
        page.Rows[slot & IndexPage.Mask] = default;
        if (page.Extras is not null)
        {
            page.Extras[slot & IndexPage.Mask] = null;
        }

        _freeSlots.Push(slot);
        _count--;
        return true;
    }

    /// <summary>
    /// Moves the entry's locations that equal the captured ones to <paramref name="moved"/> (a snapshot record holding the
    /// same data); returns how much its record size changed. Works on the row: no entry is made.
    /// </summary>
    public int Relocate(string id, RecordLocation put, RecordLocation error, RecordLocation moved)
    {
        var slot = FindSlot(id);
        return slot < 0 ? 0 : Relocate(slot, put, error, moved);
    }

    /// <summary>
    /// Relocates the entry at <paramref name="position"/> of <paramref name="view"/> by its slot, without making it: if
    /// the slot now holds another entry (or none), the captured one was deleted (or put again at a new location), so
    /// there is nothing to move.
    /// </summary>
    public int Relocate(IndexView view, int position, RecordLocation moved)
    {
        var slot = view.SlotAt(position);
        if (slot >= _slotCount)
        {
            return 0;
        }

        ref readonly var captured = ref view.RowOf(slot);
        ref readonly var live = ref Row(slot);
        if (!live.InUse || live.Kind != captured.Kind || live.KeyHigh != captured.KeyHigh || live.KeyLow != captured.KeyLow
            || (live.Kind == EntryKeyKind.Foreign && !string.Equals(IdOf(slot), view.ExtrasOf(slot)!.ForeignId, StringComparison.Ordinal)))
        {
            return 0;
        }

        var (put, error) = view.LocationsOf(slot);
        return Relocate(slot, put, error, moved);
    }

    private int Relocate(int slot, RecordLocation put, RecordLocation error, RecordLocation moved)
    {
        var files = _files.Values;
        var page = _pages[slot >> IndexPage.Shift];
        ref readonly var row = ref page.Rows[slot & IndexPage.Mask];
        var extras = row.HasExtras ? page.Extras![slot & IndexPage.Mask] : null;
        var movePut = ReferenceEquals(files[row.PutFile], put.File) && row.PutOffset == put.Offset && row.PutLength == put.Length;
        var moveError = extras is { HasError: true }
            ? ReferenceEquals(files[extras.ErrorFile], error.File) && extras.ErrorOffset == error.Offset && extras.ErrorLength == error.Length
            : movePut;
        if (!movePut && !moveError)
        {
            return 0;
        }

        _view = null;
        var oldLength = row.PutLength;
        page = WritablePage(slot);
        ref var writable = ref page.Rows[slot & IndexPage.Mask];
        if (movePut)
        {
            var file = _files.Add(moved.File);
            _files.Release(writable.PutFile);
            writable.SetPut(file, moved.Offset, moved.Length, writable.Kind, writable.HasExtras);
        }

        if (extras is { HasError: true } && moveError)
        {
            // With the Put moved too, the error lies in the same snapshot record: no longer a separate location.
            _files.Release(extras.ErrorFile);
            var kept = movePut
                ? extras with { HasError = false, ErrorFile = 0, ErrorOffset = 0, ErrorLength = 0 }
                : extras with { ErrorFile = _files.Add(moved.File), ErrorOffset = moved.Offset, ErrorLength = moved.Length };
            var needed = kept.HasError || kept.ForeignId is not null || kept.OperationType is not null || kept.ReplayCount != 0 || kept.LastReplayedTicks != IndexedEntry.NoTime;
            page.Extras![slot & IndexPage.Mask] = needed ? kept : null;
            writable.SetPut(writable.PutFile, writable.PutOffset, writable.PutLength, writable.Kind, needed);
        }

        // The status and creation time are unchanged, so the entry's place in the pending heap stays right.
        return writable.PutLength - oldLength;
    }

    /// <summary>
    /// Sizes the hash, the order, the heap and the page table for <paramref name="entries"/> at once (an open that knows
    /// how many entries the snapshot holds), instead of growing them step by step: no rehashing, and no trail of
    /// outgrown large arrays left for the GC.
    /// </summary>
    public void EnsureCapacity(int entries)
    {
        if (entries <= 0)
        {
            return;
        }

        if ((long)entries * 5 > (long)_buckets.Length * 4)
        {
            Rehash((int)Math.Min(Array.MaxLength, ((long)entries * 4 / 3) + 16));
        }

        EnsureOrderCapacity(entries);

        if (_heap.Length < entries)
        {
            Array.Resize(ref _heap, entries);
        }

        GrowHeapPositions(entries);
        var pages = (entries + IndexPage.Size - 1) >> IndexPage.Shift;
        if (_pages.Length < pages)
        {
            Array.Resize(ref _pages, pages);
        }
    }

    /// <summary>Sizes the order and the heap to what they hold (after an open: appends grow them again by a quarter).</summary>
    public void TrimExcess()
    {
        TrimOrder();
        Array.Resize(ref _heap, Math.Max(16, _heapCount));
        Array.Resize(ref _heapPlace, _slotCount);
    }

    public void Clear()
    {
        _view = null;
        _files.Clear();
        _types.Clear();
        _groups.Clear();
        _foreign.Clear();
        _freeSlots.Clear();
        _pages = [];
        _pageCount = 0;
        _slotCount = 0;
        _count = 0;
        ClearHash();
        ClearOrder();
        ClearHeap();
        ClearDue();
    }

    /// <summary>Visits entries in id order from the first until <paramref name="visit"/> returns <see langword="false"/>.</summary>
    public void ForEach(Func<IndexedEntry, bool> visit)
    {
        ForEachSlot(slot => visit(Materialize(slot, id: null)));
    }

    /// <summary>
    /// Gets the index as it is now, fixed: later changes copy the pages they write instead of changing the view's.
    /// Shared by readers until the next change.
    /// </summary>
    public IndexView View()
    {
        if (_view is null)
        {
            _frozenAt = _epoch++;
            _view = new IndexView(_pages[.._pageCount], FreezeOrder(), _orderCount, _files.Copy(), _types.Copy(), _groups.Copy());
        }

        return _view;
    }

    internal static IndexedEntry Materialize(IndexPage page, int slot, string? id, RecordFile?[] files, string?[] types, string?[] groups)
    {
        ref readonly var row = ref page.Rows[slot & IndexPage.Mask];
        var extras = row.HasExtras ? page.Extras![slot & IndexPage.Mask] : null;
        var put = new RecordLocation(files[row.PutFile]!, row.PutOffset, row.PutLength);
        return new IndexedEntry
        {
            Id = id ?? extras?.ForeignId ?? EntryKey.Unpack(row.Kind, row.KeyHigh, row.KeyLow),
            OperationType = extras?.OperationType ?? types[row.OperationType]!,
            CreatedTicks = row.CreatedTicks,
            UpdatedTicks = row.UpdatedTicks,
            NextAttemptTicks = row.NextAttemptTicks,
            AttemptCount = row.AttemptCount,
            MaxAttempts = row.MaxAttempts,
            Status = (DeadLetterStatus)row.Status,
            Version = row.Version,
            PayloadLength = row.PayloadLength,
            Reason = (DeadLetterFailureReason)row.Reason,
            FailureGroup = row.Group == 0 ? null : groups[row.Group - 1],
            FirstFailedTicks = row.FirstFailedTicks,
            LastFailedTicks = row.LastFailedTicks,
            ReplayCount = extras?.ReplayCount ?? 0,
            LastReplayedTicks = extras?.LastReplayedTicks ?? IndexedEntry.NoTime,
            Put = put,
            Error = extras is { HasError: true } ? new RecordLocation(files[extras.ErrorFile]!, extras.ErrorOffset, extras.ErrorLength) : put,
        };
    }

    private static bool IsPending(DeadLetterStatus status) => status is DeadLetterStatus.Pending or DeadLetterStatus.Retrying;

    private IndexedEntry Materialize(int slot, string? id)
        => Materialize(_pages[slot >> IndexPage.Shift], slot, id, _files.Values, _types.Values, _groups.Values);

    private ref readonly IndexRow Row(int slot) => ref _pages[slot >> IndexPage.Shift].Rows[slot & IndexPage.Mask];

    private string IdOf(int slot)
    {
        ref readonly var row = ref Row(slot);
        return row.Kind == EntryKeyKind.Foreign
            ? _pages[slot >> IndexPage.Shift].Extras![slot & IndexPage.Mask]!.ForeignId!
            : EntryKey.Unpack(row.Kind, row.KeyHigh, row.KeyLow);
    }

    private int FindSlot(string id)
    {
        var kind = Pack(id, out var high, out var low);
        if (kind == EntryKeyKind.Foreign)
        {
            return _foreign.GetValueOrDefault(id, -1);
        }

        var slot = FindSlot(kind, high, low, out var bucket);
        if (slot < 0)
        {
            _missId = id;
            _missBucket = bucket;
            _missVersion = _hashVersion;
        }

        return slot;
    }

    private EntryKeyKind Pack(string id, out ulong high, out ulong low)
    {
        if (!ReferenceEquals(id, _packedId))
        {
            _packedKind = EntryKey.Pack(id, out _packedHigh, out _packedLow);
            _packedId = id;
        }

        high = _packedHigh;
        low = _packedLow;
        return _packedKind;
    }

    /// <summary>
    /// Finds a foreign id's slot, or gives it a new one in the same dictionary lookup: returns the slot, or the
    /// complement of the new slot.
    /// </summary>
    private int ForeignSlotOrAdd(string id)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_foreign, id, out var exists);
        if (exists)
        {
            return slot;
        }

        slot = AllocateSlot();
        return ~slot;
    }

    private int AllocateSlot()
    {
        if (_freeSlots.Count > 0)
        {
            return _freeSlots.Pop();
        }

        var slot = _slotCount++;
        if ((slot & IndexPage.Mask) == 0)
        {
            if (_pageCount == _pages.Length)
            {
                Array.Resize(ref _pages, Math.Max(16, _pages.Length * 2));
            }

            _pages[_pageCount++] = new IndexPage { Epoch = _epoch };
        }

        GrowHeapPositions(_slotCount);
        return slot;
    }

    /// <summary>Gets the slot's page for writing, copying it first if a view shares it.</summary>
    private IndexPage WritablePage(int slot)
    {
        ref var page = ref _pages[slot >> IndexPage.Shift];
        if (page.Epoch <= _frozenAt)
        {
            page = page.Clone(_epoch);
        }

        return page;
    }

    /// <param name="id">The id.</param>
    /// <param name="operationType">The operation type (interned).</param>
    /// <param name="group">The failure group (interned), or <see langword="null"/>.</param>
    /// <param name="put">The Put record.</param>
    /// <param name="error">The record holding the latest error (<paramref name="put"/> or a State record).</param>
    /// <param name="replayCount">The replay count (kept in the extras when not 0).</param>
    /// <param name="lastReplayed">The last replay (kept in the extras when set).</param>
    /// <param name="numbers">The row's times, counts, status and reason; its other fields are set here.</param>
    private void Set(string id, string operationType, string? group, RecordLocation put, RecordLocation error, int replayCount, long lastReplayed, in IndexRow numbers)
    {
        _view = null;
        var kind = Pack(id, out var high, out var low);
        var bucket = -1;
        var slot = kind == EntryKeyKind.Foreign ? ForeignSlotOrAdd(id)
            : ReferenceEquals(id, _missId) && _missVersion == _hashVersion ? -1
            : FindSlot(kind, high, low, out bucket);
        if (slot < 0 && kind != EntryKeyKind.Foreign && bucket < 0)
        {
            // The lookup that just missed this id (a change looks up before it sets) found the bucket already.
            bucket = _missBucket;
        }

        var isNew = slot < 0;
        if (isNew)
        {
            slot = kind == EntryKeyKind.Foreign ? ~slot : AllocateSlot();
        }
        else
        {
            ReleaseRow(slot);
        }

        var type = _types.Add(operationType);
        var putFile = _files.Add(put.File);
        var hasError = error != put;
        var errorFile = hasError ? _files.Add(error.File) : 0;
        var hasExtras = kind == EntryKeyKind.Foreign || type < 0 || hasError || replayCount != 0 || lastReplayed != IndexedEntry.NoTime;
        var page = WritablePage(slot);
        ref var row = ref page.Rows[slot & IndexPage.Mask];
        row = numbers;
        row.KeyHigh = high;
        row.KeyLow = low;
        row.Group = group is null ? 0 : _groups.Add(group) + 1;
        row.OperationType = type < 0 ? (ushort)0 : (ushort)type;
        row.SetPut(putFile, put.Offset, put.Length, kind, hasExtras);
        if (hasExtras)
        {
            page.Extras ??= new SlotExtras?[IndexPage.Size];
            page.Extras[slot & IndexPage.Mask] = new SlotExtras(
                kind == EntryKeyKind.Foreign ? id : null,
                type < 0 ? operationType : null,
                hasError,
                errorFile,
                error.Offset,
                error.Length,
                replayCount,
                lastReplayed);
        }
        else if (page.Extras is not null)
        {
            page.Extras[slot & IndexPage.Mask] = null;
        }

        if (isNew)
        {
            _count++;
            if (kind != EntryKeyKind.Foreign)
            {
                AddToHash(slot, kind, high, low, bucket);
            }

            AddToOrder(slot);
        }

        if (IsPending((DeadLetterStatus)numbers.Status))
        {
            AddToHeap(slot);
        }

        if (_dueByType is not null)
        {
            AddToDue(slot);
        }
    }

    /// <summary>Drops the references the row's numbers hold (and its heap place) before it is rewritten or freed.</summary>
    private void ReleaseRow(int slot, bool keepHeap = false)
    {
        RemoveFromDue(slot);
        if (!keepHeap)
        {
            RemoveFromHeap(slot);
        }

        var page = _pages[slot >> IndexPage.Shift];
        ref readonly var row = ref page.Rows[slot & IndexPage.Mask];
        var extras = row.HasExtras ? page.Extras![slot & IndexPage.Mask] : null;
        if (extras?.OperationType is null)
        {
            _types.Release(row.OperationType);
        }

        if (row.Group != 0)
        {
            _groups.Release(row.Group - 1);
        }

        _files.Release(row.PutFile);
        if (extras is { HasError: true })
        {
            _files.Release(extras.ErrorFile);
        }
    }
}
