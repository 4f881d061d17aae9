namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The slots in ordinal id order, kept in order as changes apply: new ids almost always come last (generated ids sort by
/// creation time), so an add is an append; others are inserted after a binary search. Two packed ids of one kind
/// compare as numbers; only ids of different kinds are compared as strings.
/// </summary>
internal sealed partial class EntryIndex
{
    private int[] _order = new int[16];
    private int _orderCount;

    // Where the last insert before the end went: a guess for the next one, checked before it is used.
    private int _lastInsert = -1;

    private int Compare(int a, int b)
    {
        ref readonly var x = ref Row(a);
        ref readonly var y = ref Row(b);
        if (x.Kind == y.Kind && x.Kind != EntryKeyKind.Foreign)
        {
            var high = x.KeyHigh.CompareTo(y.KeyHigh);
            return high != 0 ? high : x.KeyLow.CompareTo(y.KeyLow);
        }

        // Ids of different kinds (or not packed) compare as strings; a packed one is unpacked on the stack, not into a
        // string: a binary search across kinds would otherwise allocate a string per step.
        Span<char> left = stackalloc char[EntryKey.MaxPackedLength];
        Span<char> right = stackalloc char[EntryKey.MaxPackedLength];
        return IdChars(a, left).SequenceCompareTo(IdChars(b, right));
    }

    private ReadOnlySpan<char> IdChars(int slot, Span<char> buffer)
    {
        ref readonly var row = ref Row(slot);
        return row.Kind == EntryKeyKind.Foreign
            ? _pages[slot >> IndexPage.Shift].Extras![slot & IndexPage.Mask]!.ForeignId!
            : buffer[..EntryKey.Unpack(row.Kind, row.KeyHigh, row.KeyLow, buffer)];
    }

    private void AddToOrder(int slot)
    {
        if (_orderCount == _order.Length)
        {
            // A quarter more each time: the order is 4 bytes an entry, and doubling would leave up to half unused.
            Array.Resize(ref _order, _order.Length + Math.Max(16, _order.Length / 4));
        }

        if (_orderCount == 0 || Compare(_order[_orderCount - 1], slot) < 0)
        {
            _order[_orderCount++] = slot;
            return;
        }

        // Ids that arrive in order but sort before ids already stored (a prefix or kind of id that sorts lower) go one
        // after another at the same point: the place after the last insert is tried first, two comparisons instead
        // of a binary search of the whole order (a cache miss per step at a million entries).
        var hint = _lastInsert + 1;
        var at = hint > 0 && hint < _orderCount && Compare(_order[hint - 1], slot) < 0 && Compare(slot, _order[hint]) < 0
            ? hint
            : ~Search(slot);
        Array.Copy(_order, at, _order, at + 1, _orderCount - at);
        _order[at] = slot;
        _orderCount++;
        _lastInsert = at;
    }

    private void RemoveFromOrder(int slot)
    {
        var at = Search(slot);
        if (at >= 0)
        {
            Array.Copy(_order, at + 1, _order, at, _orderCount - at - 1);
            _orderCount--;
        }
    }

    private int Search(int slot)
    {
        int low = 0, high = _orderCount - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = _order[middle] == slot ? 0 : Compare(_order[middle], slot);
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

    private void ClearOrder()
    {
        _order = new int[16];
        _orderCount = 0;
        _lastInsert = -1;
    }
}
