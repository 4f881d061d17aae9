using System.Buffers.Binary;

namespace Resilience.DeadLetter.Internal;

/// <summary>How an id is held in the index: the shapes that fit in 16 bytes are kept binary, the rest as strings.</summary>
internal enum EntryKeyKind : byte
{
    /// <summary>Not a shape below: the id string is kept in the row's extras and found through a dictionary.</summary>
    Foreign = 0,

    /// <summary>A canonical ULID as <see cref="DeadLetterId"/> makes them: 26 Crockford digits, 128 bits.</summary>
    Ulid = 1,

    /// <summary>Up to 16 ASCII characters (no NUL), one byte each, zero padded.</summary>
    Ascii = 2,
}

/// <summary>
/// Packs an id into 16 bytes when that loses nothing: unpacking gives back the same string, and comparing two packed
/// ids of one kind as big-endian numbers gives the ordinal order of the strings (the Crockford digits and ASCII are in
/// code-unit order), so the index keeps the id order without strings.
/// </summary>
internal static class EntryKey
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    // The value of each ASCII character as a Crockford digit (upper case only: a lower-case id would not round-trip).
    private static ReadOnlySpan<byte> Digits =>
    [
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 255, 255, 255, 255, 255,
        255, 10, 11, 12, 13, 14, 15, 16, 17, 255, 18, 19, 255, 20, 21, 255,
        22, 23, 24, 25, 26, 255, 27, 28, 29, 30, 31, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    ];

    public static EntryKeyKind Pack(string id, out ulong high, out ulong low)
    {
        if (id.Length == 26 && TryPackUlid(id, out high, out low))
        {
            return EntryKeyKind.Ulid;
        }

        if (id.Length <= 16 && TryPackAscii(id, out high, out low))
        {
            return EntryKeyKind.Ascii;
        }

        // Not packable, but its first 16 characters, when ASCII, still order it against most ids (see PrefixOrders).
        if (id.Length <= 16 || !TryPackAscii(id.AsSpan(0, 16), out high, out low))
        {
            high = 0;
            low = 0;
        }

        return EntryKeyKind.Foreign;
    }

    /// <summary>
    /// Whether two keys order their ids without the strings: both ASCII ids or ids longer than 16 characters whose
    /// first 16 are ASCII (a foreign key with a non-zero high half), compared as big-endian numbers. Equal keys do not
    /// decide (an id and a longer one it begins), and ULIDs are numbers, not characters.
    /// </summary>
    public static bool PrefixOrders(EntryKeyKind x, ulong xHigh, EntryKeyKind y, ulong yHigh)
        => (x == EntryKeyKind.Ascii || (x == EntryKeyKind.Foreign && xHigh != 0))
        && (y == EntryKeyKind.Ascii || (y == EntryKeyKind.Foreign && yHigh != 0));

    /// <summary>The longest id a packed key stands for (a ULID).</summary>
    public const int MaxPackedLength = 26;

    public static string Unpack(EntryKeyKind kind, ulong high, ulong low)
    {
        Span<char> chars = stackalloc char[MaxPackedLength];
        return new string(chars[..Format(kind, high, low, chars)]);
    }

    /// <summary>Writes the id a packed key stands for into <paramref name="chars"/> (at least <see cref="MaxPackedLength"/> long); returns its length.</summary>
    public static int Format(EntryKeyKind kind, ulong high, ulong low, Span<char> chars)
    {
        if (kind == EntryKeyKind.Ulid)
        {
            var value = new UInt128(high, low);
            for (var i = 25; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(value & 31)];
                value >>= 5;
            }

            return 26;
        }

        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, high);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], low);
        var length = bytes.IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetChars(bytes[..(length < 0 ? 16 : length)], chars);
    }

    /// <summary>A well-mixed hash of a packed id (its high bits are used to pick a bucket).</summary>
    public static uint Hash(EntryKeyKind kind, ulong high, ulong low)
    {
        var h = (high * 0x9E3779B97F4A7C15UL) ^ low ^ (ulong)kind;
        h ^= h >> 31;
        h *= 0xD6E8FEB86659FD93UL;
        h ^= h >> 32;
        return (uint)h;
    }

    private static bool TryPackUlid(string id, out ulong high, out ulong low)
    {
        high = 0;
        low = 0;

        // 26 digits hold 130 bits: a first digit above 7 does not fit in 128 and would not round-trip.
        if (id[0] > '7')
        {
            return false;
        }

        UInt128 value = 0;
        foreach (var c in id)
        {
            if (c >= 128 || Digits[c] == 255)
            {
                return false;
            }

            value = (value << 5) | Digits[c];
        }

        high = (ulong)(value >> 64);
        low = (ulong)value;
        return true;
    }

    private static bool TryPackAscii(ReadOnlySpan<char> id, out ulong high, out ulong low)
    {
        high = 0;
        low = 0;
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (c is '\0' or >= (char)128)
            {
                return false;
            }

            bytes[i] = (byte)c;
        }

        high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        return true;
    }
}
