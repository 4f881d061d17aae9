using System.Buffers.Binary;
using System.Text;
using Resilience.DeadLetter.Internal;

namespace Resilience.Checkpointing.Internal;

/// <summary>
/// The checkpoint file format: "RCKP", a version byte, three reserved bytes, the body's length (int32), the body
/// (generation, commit time, group, then stream/partition/offset per partition), and a CRC-32C over everything
/// before it. Integers are little-endian; strings are a length (int32) and UTF-8 bytes.
/// </summary>
internal static class CheckpointCodec
{
    private const byte Version = 1;
    private const int HeaderSize = 12;
    private static ReadOnlySpan<byte> Magic => "RCKP"u8;

    public static byte[] Encode(CheckpointSnapshot snapshot)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(snapshot.Generation);
            writer.Write(snapshot.CommittedAt.ToUnixTimeMilliseconds());
            WriteString(writer, snapshot.ConsumerGroup);
            writer.Write(snapshot.Offsets.Count);

            // Sorted, so the same offsets always encode to the same bytes.
            foreach (var (key, offset) in snapshot.Offsets.OrderBy(p => p.Key.Stream, StringComparer.Ordinal).ThenBy(p => p.Key.Partition))
            {
                WriteString(writer, key.Stream);
                writer.Write(key.Partition);
                writer.Write(offset);
            }
        }

        var length = checked((int)body.Length);
        var bytes = new byte[HeaderSize + length + 4];
        Magic.CopyTo(bytes);
        bytes[4] = Version;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), length);
        body.GetBuffer().AsSpan(0, length).CopyTo(bytes.AsSpan(HeaderSize));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(HeaderSize + length), Crc32C.Compute(bytes.AsSpan(0, HeaderSize + length)));
        return bytes;
    }

    /// <summary>Decodes a file's bytes; returns the reason instead when they are not an intact snapshot of <paramref name="consumerGroup"/>.</summary>
    public static CheckpointSnapshot? TryDecode(byte[] bytes, string consumerGroup, out string error)
    {
        if (bytes.Length < HeaderSize + 4 || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
        {
            error = $"not a checkpoint file ({bytes.Length} bytes)";
            return null;
        }

        if (bytes[4] != Version)
        {
            error = $"unknown format version {bytes[4]}";
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        if (length < 0 || bytes.Length != HeaderSize + length + 4)
        {
            error = $"truncated or extended: the header says {length} body bytes, the file holds {bytes.Length - HeaderSize - 4}";
            return null;
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(HeaderSize + length));
        if (stored != Crc32C.Compute(bytes.AsSpan(0, HeaderSize + length)))
        {
            error = "checksum mismatch";
            return null;
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, HeaderSize, length, writable: false), Encoding.UTF8);
            var generation = reader.ReadInt64();
            var committedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            var group = ReadString(reader);
            if (!string.Equals(group, consumerGroup, StringComparison.Ordinal))
            {
                error = $"written for consumer group '{group}'";
                return null;
            }

            var count = reader.ReadInt32();
            var offsets = new Dictionary<CheckpointKey, long>(count);
            for (var i = 0; i < count; i++)
            {
                var stream = ReadString(reader);
                var partition = reader.ReadInt32();
                offsets[new CheckpointKey(stream, partition)] = reader.ReadInt64();
            }

            error = string.Empty;
            return new CheckpointSnapshot(group, generation, committedAt, offsets);
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or IOException or OverflowException)
        {
            // An intact checksum over a body that does not parse: written by something else, never by this codec.
            error = "malformed body: " + ex.Message;
            return null;
        }
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static string ReadString(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new EndOfStreamException($"a string of {length} bytes runs past the body");
        }

        return Encoding.UTF8.GetString(reader.ReadBytes(length));
    }
}
