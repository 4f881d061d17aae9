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

    /// <summary>The running state to start an incremental checksum from.</summary>
    public const uint Initial = 0xFFFFFFFFu;

    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Update(Initial, data));

    /// <summary>Adds bytes to a running checksum; <see cref="Finish"/> turns the state into the CRC.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }

    public static uint Finish(uint crc) => ~crc;

    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + MaskDelta;
}
