using System.Buffers.Binary;
using System.Numerics;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// CRC-32C (Castagnoli) over spans, using the processor's CRC instructions through <see cref="BitOperations.Crc32C(uint, ulong)"/>.
/// </summary>
internal static class Crc32C
{
    // LevelDB-style mask: a CRC stored inside data that is itself checksummed (a record holding a snapshot of
    // records) would otherwise make CRCs of CRCs trivially predictable.
    private const uint MaskDelta = 0xa282ead8u;

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + MaskDelta;
}
