namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The entries a processor acts on by time, as binary min-heaps of slots, each slot knowing its place: the pending
/// entries in due order, one heap per operation type (by next attempt, then creation time, then slot), what the
/// processor dispatches from, so it keeps no schedule of its own (one id string and two collection items per pending
/// entry, about 150 bytes, at ten million entries as much again as the index); and the recovered or discarded entries,
/// and the archived ones, each by update time, what the retention sweep deletes from without reading every entry. One
/// heap per type, so a paused type or one without a handler is passed over whole rather than entry by entry. A slot is
/// in one heap at most (its status says which). Built the first time it is asked for (a store only written to or
/// inspected never pays its 8 bytes per entry), then kept up to date by every change.
/// </summary>
internal sealed partial class EntryIndex
{
    private TimeHeap?[]? _dueByType;
    private Dictionary<string, TimeHeap>? _dueByForeignType;
    private TimeHeap? _resolved;
    private TimeHeap? _archived;

    // Per slot: its place in its heap plus one, 0 when not in a heap.
    private int[] _duePlace = [];

    /// <summary>
    /// Visits the pending entries of the types <paramref name="includeType"/> accepts, earliest due first (an entry with
    /// no next attempt time first of all), with its next attempt in ticks (<see cref="IndexedEntry.NoTime"/> for none),
    /// until <paramref name="visit"/> returns <see langword="false"/>. Reads a few heap items per entry visited, not the
    /// whole order.
    /// </summary>
    public void VisitDue(Func<string, bool> includeType, Func<string, long, bool> visit)
    {
        EnsureDueOrder();
        VisitInOrder(PendingHeaps().Where(heap => includeType(heap.OperationType)), slot => visit(IdOf(slot), Row(slot).NextAttemptTicks));
    }

    /// <summary>
    /// Visits the recovered and discarded entries (or, with <paramref name="archived"/>, the archived ones), least
    /// recently updated first, until <paramref name="visit"/> returns <see langword="false"/>.
    /// </summary>
    public void VisitByUpdate(bool archived, Func<IndexedEntry, bool> visit)
    {
        EnsureDueOrder();
        VisitInOrder([archived ? _archived! : _resolved!], slot => visit(Materialize(slot, id: null)));
    }

    /// <summary>
    /// Visits the slots of the heaps merged in key order without taking them out: a heap's children come after their
    /// parent, so the next in order is always among a frontier that starts at the roots. A few items per slot visited.
    /// </summary>
    private void VisitInOrder(IEnumerable<TimeHeap> heaps, Func<int, bool> visit)
    {
        var frontier = new PriorityQueue<(TimeHeap Heap, int Place), (long Time, long Created, int Slot)>();
        foreach (var heap in heaps)
        {
            if (heap.Count > 0)
            {
                frontier.Enqueue((heap, 0), KeyOf(heap, heap.Items[0]));
            }
        }

        while (frontier.TryDequeue(out var item, out var key))
        {
            if (!visit(key.Slot))
            {
                return;
            }

            var (heap, place) = item;
            for (var child = (2 * place) + 1; child <= (2 * place) + 2 && child < heap.Count; child++)
            {
                frontier.Enqueue((heap, child), KeyOf(heap, heap.Items[child]));
            }
        }
    }

    private (long Due, long Created, int Slot) DueKey(int slot)
    {
        ref readonly var row = ref Row(slot);
        return (row.NextAttemptTicks, row.CreatedTicks, slot);
    }

    private (long Due, long Created, int Slot) KeyOf(TimeHeap heap, int slot)
        => heap.ByUpdate ? (Row(slot).UpdatedTicks, 0, slot) : DueKey(slot);

    private bool Before(TimeHeap heap, int a, int b) => KeyOf(heap, a).CompareTo(KeyOf(heap, b)) < 0;

    private void EnsureDueOrder()
    {
        if (_dueByType is not null)
        {
            return;
        }

        _dueByType = [];
        _resolved = new TimeHeap(string.Empty, byUpdate: true);
        _archived = new TimeHeap(string.Empty, byUpdate: true);
        _duePlace = new int[_heapPlace.Length];
        for (var slot = 0; slot < _slotCount; slot++)
        {
            if (Row(slot).InUse)
            {
                AddToDue(slot);
            }
        }
    }

    private IEnumerable<TimeHeap> PendingHeaps()
    {
        foreach (var heap in _dueByType!)
        {
            if (heap is not null)
            {
                yield return heap;
            }
        }

        if (_dueByForeignType is not null)
        {
            foreach (var heap in _dueByForeignType.Values)
            {
                yield return heap;
            }
        }
    }

    /// <summary>Gets the heap the slot belongs in by its status (a pending type's heap is made when missing), or null.</summary>
    private TimeHeap? TimeHeapOf(int slot)
    {
        ref readonly var row = ref Row(slot);
        switch ((DeadLetterStatus)row.Status)
        {
            case DeadLetterStatus.Pending:
                break;
            case DeadLetterStatus.Recovered or DeadLetterStatus.Discarded:
                return _resolved;
            case DeadLetterStatus.Archived:
                return _archived;
            default:
                return null;
        }

        var foreignType = row.HasExtras ? _pages[slot >> IndexPage.Shift].Extras![slot & IndexPage.Mask]!.OperationType : null;
        if (foreignType is not null)
        {
            _dueByForeignType ??= new Dictionary<string, TimeHeap>(StringComparer.Ordinal);
            if (!_dueByForeignType.TryGetValue(foreignType, out var foreign))
            {
                _dueByForeignType[foreignType] = foreign = new TimeHeap(foreignType);
            }

            return foreign;
        }

        int type = row.OperationType;
        if (type >= _dueByType!.Length)
        {
            Array.Resize(ref _dueByType, Math.Max(type + 1, _dueByType.Length * 2));
        }

        // A type's number is reused only once no entry has the type, so a heap found here is empty or the type's own.
        var heap = _dueByType[type];
        var name = _types.Values[type]!;
        if (heap is null || !ReferenceEquals(heap.OperationType, name))
        {
            heap = _dueByType[type] = new TimeHeap(name);
        }

        return heap;
    }

    private void AddToDue(int slot)
    {
        if (_duePlace.Length < _heapPlace.Length)
        {
            Array.Resize(ref _duePlace, _heapPlace.Length);
        }

        if (TimeHeapOf(slot) is not { } heap)
        {
            return;
        }

        if (heap.Count == heap.Items.Length)
        {
            Array.Resize(ref heap.Items, Math.Max(16, heap.Items.Length + (heap.Items.Length / 2)));
        }

        heap.Items[heap.Count] = slot;
        _duePlace[slot] = heap.Count + 1;
        heap.Count++;
        DueSiftUp(heap, heap.Count - 1);
    }

    /// <summary>Takes the slot out of its type's heap (before its row changes: the row says which heap).</summary>
    private void RemoveFromDue(int slot)
    {
        if (_dueByType is null || slot >= _duePlace.Length || _duePlace[slot] == 0)
        {
            return;
        }

        var heap = TimeHeapOf(slot)!;
        var place = _duePlace[slot] - 1;
        _duePlace[slot] = 0;
        heap.Count--;
        if (place == heap.Count)
        {
            return;
        }

        var last = heap.Items[heap.Count];
        DueMove(heap, last, place);
        DueSiftUp(heap, place);
        DueSiftDown(heap, _duePlace[last] - 1);
    }

    private void DueSiftUp(TimeHeap heap, int place)
    {
        var slot = heap.Items[place];
        while (place > 0)
        {
            var parent = (place - 1) >> 1;
            if (!Before(heap, slot, heap.Items[parent]))
            {
                break;
            }

            DueMove(heap, heap.Items[parent], place);
            place = parent;
        }

        DueMove(heap, slot, place);
    }

    private void DueSiftDown(TimeHeap heap, int place)
    {
        var slot = heap.Items[place];
        while (true)
        {
            var child = (2 * place) + 1;
            if (child >= heap.Count)
            {
                break;
            }

            if (child + 1 < heap.Count && Before(heap, heap.Items[child + 1], heap.Items[child]))
            {
                child++;
            }

            if (!Before(heap, heap.Items[child], slot))
            {
                break;
            }

            DueMove(heap, heap.Items[child], place);
            place = child;
        }

        DueMove(heap, slot, place);
    }

    private void DueMove(TimeHeap heap, int slot, int place)
    {
        heap.Items[place] = slot;
        _duePlace[slot] = place + 1;
    }

    private void ClearDue()
    {
        _dueByType = null;
        _dueByForeignType = null;
        _resolved = null;
        _archived = null;
        _duePlace = [];
    }

    /// <summary>One operation type's pending slots (or, by update time, the resolved or the archived ones) as a heap.</summary>
    private sealed class TimeHeap(string operationType, bool byUpdate = false)
    {
#pragma warning disable SA1401, CA1051 // A field, so the heap's array can be grown in place by reference.
        public int[] Items = new int[16];
#pragma warning restore SA1401, CA1051

        public string OperationType { get; } = operationType;

        public bool ByUpdate { get; } = byUpdate;

        public int Count { get; set; }
    }
}
