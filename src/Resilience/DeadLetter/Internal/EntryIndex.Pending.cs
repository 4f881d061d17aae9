namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The pending and retrying entries as a binary min-heap of slots by creation time, each slot knowing its place, so
/// a change removes exactly its own entry (no stale items, no per-item object): the oldest pending entry is the top.
/// </summary>
internal sealed partial class EntryIndex
{
    private int[] _heap = new int[16];
    private int _heapCount;

    // Per slot: its place in the heap plus one, 0 when not in it.
    private int[] _heapPlace = [];

    /// <summary>Gets the creation time of the oldest pending or retrying entry, or <see langword="null"/>.</summary>
    public long? OldestPendingTicks => _heapCount == 0 ? null : Row(_heap[0]).CreatedTicks;

    private void GrowHeapPositions(int slots)
    {
        if (_heapPlace.Length < slots)
        {
            Array.Resize(ref _heapPlace, Math.Max(slots, _heapPlace.Length + (_heapPlace.Length / 4)));
        }
    }

    private void AddToHeap(int slot)
    {
        if (_heapCount == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length + Math.Max(16, _heap.Length / 4));
        }

        _heap[_heapCount] = slot;
        _heapPlace[slot] = _heapCount + 1;
        _heapCount++;
        SiftUp(_heapCount - 1);
    }

    private void RemoveFromHeap(int slot)
    {
        var place = _heapPlace[slot] - 1;
        if (place < 0)
        {
            return;
        }

        _heapPlace[slot] = 0;
        _heapCount--;
        if (place == _heapCount)
        {
            return;
        }

        var last = _heap[_heapCount];
        _heap[place] = last;
        _heapPlace[last] = place + 1;
        SiftUp(place);
        SiftDown(_heapPlace[last] - 1);
    }

    private void SiftUp(int place)
    {
        var slot = _heap[place];
        var key = Row(slot).CreatedTicks;
        while (place > 0)
        {
            var parent = (place - 1) >> 1;
            if (Row(_heap[parent]).CreatedTicks <= key)
            {
                break;
            }

            Move(_heap[parent], place);
            place = parent;
        }

        Move(slot, place);
    }

    private void SiftDown(int place)
    {
        var slot = _heap[place];
        var key = Row(slot).CreatedTicks;
        while (true)
        {
            var child = (2 * place) + 1;
            if (child >= _heapCount)
            {
                break;
            }

            if (child + 1 < _heapCount && Row(_heap[child + 1]).CreatedTicks < Row(_heap[child]).CreatedTicks)
            {
                child++;
            }

            if (Row(_heap[child]).CreatedTicks >= key)
            {
                break;
            }

            Move(_heap[child], place);
            place = child;
        }

        Move(slot, place);
    }

    private void Move(int slot, int place)
    {
        _heap[place] = slot;
        _heapPlace[slot] = place + 1;
    }

    private void ClearHeap()
    {
        _heap = new int[16];
        _heapCount = 0;
        _heapPlace = [];
    }
}
