namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The hash from packed id to slot: linear probing over an int array of slot + 1 (0 is empty), kept at most 80 % full
/// and grown by half, with a bucket picked from the hash's high bits (any table size works), and backward-shift
/// deletion (no tombstones). About 6 bytes per entry.
/// </summary>
internal sealed partial class EntryIndex
{
    private int[] _buckets = new int[16];
    private int _hashed;

    // Moves on with every change to the buckets: a remembered bucket is valid only at the version it was found in.
    private int _hashVersion;

    private static int Home(uint hash, int length) => (int)(((ulong)hash * (uint)length) >> 32);

    private int FindSlot(EntryKeyKind kind, ulong high, ulong low, out int bucket)
    {
        var length = _buckets.Length;
        var i = Home(EntryKey.Hash(kind, high, low), length);
        while (true)
        {
            var value = _buckets[i];
            if (value == 0)
            {
                bucket = i;
                return -1;
            }

            if (Row(value - 1).SameKey(kind, high, low))
            {
                bucket = i;
                return value - 1;
            }

            i = i + 1 == length ? 0 : i + 1;
        }
    }

    // bucket: the empty bucket a lookup of this id just found, or -1.
    private void AddToHash(int slot, EntryKeyKind kind, ulong high, ulong low, int bucket)
    {
        if ((long)(_hashed + 1) * 5 > (long)_buckets.Length * 4)
        {
            Rehash(_buckets.Length + (_buckets.Length / 2));
            bucket = -1;
        }

        if (bucket < 0)
        {
            FindSlot(kind, high, low, out bucket);
        }

        _buckets[bucket] = slot + 1;
        _hashed++;
        _hashVersion++;
    }

    private void RemoveFromHash(int slot)
    {
        ref readonly var row = ref Row(slot);
        FindSlot(row.Kind, row.KeyHigh, row.KeyLow, out var hole);
        var length = _buckets.Length;
        var j = hole;
        while (true)
        {
            j = j + 1 == length ? 0 : j + 1;
            var value = _buckets[j];
            if (value == 0)
            {
                break;
            }

            ref readonly var next = ref Row(value - 1);
            var home = Home(EntryKey.Hash(next.Kind, next.KeyHigh, next.KeyLow), length);

            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            var stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
            if (!stays)
            {
                _buckets[hole] = value;
                hole = j;
            }
        }

        _buckets[hole] = 0;
        _hashed--;
        _hashVersion++;
    }

    private void Rehash(int length)
    {
        var old = _buckets;
        _buckets = new int[length];
        _hashVersion++;
        foreach (var value in old)
        {
            if (value != 0)
            {
                ref readonly var row = ref Row(value - 1);
                FindSlot(row.Kind, row.KeyHigh, row.KeyLow, out var bucket);
                _buckets[bucket] = value;
            }
        }
    }

    private void ClearHash()
    {
        _buckets = new int[16];
        _hashed = 0;
        _hashVersion++;
    }
}
