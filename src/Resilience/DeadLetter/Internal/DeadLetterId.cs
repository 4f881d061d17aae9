using System.Security.Cryptography;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Creates ULID-style identifiers: 48 bits of Unix milliseconds then 80 random bits, in Crockford base 32, so ids sort by
/// creation time. Ids made in the same millisecond increase monotonically.
/// </summary>
internal sealed class DeadLetterId
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly byte[] _last = new byte[16];
    private long _lastMilliseconds = -1;

    public DeadLetterId(TimeProvider timeProvider) => _timeProvider = timeProvider;

    public string Next()
    {
        Span<byte> bytes = stackalloc byte[16];
        var milliseconds = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_lock)
        {
            if (milliseconds <= _lastMilliseconds)
            {
                // Same (or earlier) millisecond: increment the previous random part so ids stay strictly ordered.
                _last.CopyTo(bytes);
                for (var i = 15; i >= 6; i--)
                {
                    if (++bytes[i] != 0)
                    {
                        break;
                    }
                }
            }
            else
            {
                _lastMilliseconds = milliseconds;
                for (var i = 5; i >= 0; i--)
                {
                    bytes[i] = (byte)(milliseconds & 0xFF);
                    milliseconds >>= 8;
                }

                RandomNumberGenerator.Fill(bytes[6..]);
                bytes[6] &= 0x7F; // leave room to increment within one millisecond without wrapping
            }

            bytes.CopyTo(_last);
        }

        return Encode(bytes);
    }

    public static bool IsValid(string? id)
    {
        if (id is null || id.Length != 26)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static string Encode(ReadOnlySpan<byte> bytes)
    {
        // 128 bits -> 26 base-32 digits (the first digit holds the top 3 bits).
        var high = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        var value = new UInt128(high, low);
        return string.Create(26, value, static (chars, v) =>
        {
            for (var i = 25; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(v & 31)];
                v >>= 5;
            }
        });
    }
}
