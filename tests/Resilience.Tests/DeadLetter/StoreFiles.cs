using System.Globalization;
using System.Text;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Entries whose payload carries a unique marker, and helpers that find those markers in the store's files: tests
/// locate what to damage by content, never by the on-disk layout (which is versioned and may change).
/// </summary>
internal static class StoreFiles
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The marker that starts (and fills) the payload of version <paramref name="version"/> of entry <paramref name="id"/>.</summary>
    public static byte[] Marker(string id, int version) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"<{id}#v{version}>"));

    public static DeadLetterEntry Entry(string id, int version, int payloadBytes = 200)
    {
        var marker = Marker(id, version);
        var payload = new byte[Math.Max(payloadBytes, marker.Length)];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = marker[i % marker.Length];
        }

        return new DeadLetterEntry
        {
            Id = id,
            OperationType = version % 2 == 0 ? "charge-card" : "send-email",
            CreatedAt = Epoch,
            UpdatedAt = Epoch.AddSeconds(version),
            Error = new DeadLetterError { Type = "System.IO.IOException", Message = $"failure of {id} v{version}", Reason = DeadLetterFailureReason.MaxRetriesExceeded },
            Payload = payload,
            Context = new Dictionary<string, string> { ["tenant"] = id, ["version"] = version.ToString(CultureInfo.InvariantCulture) },
            AttemptCount = version % 5,
            MaxAttempts = 10,
            NextAttemptAt = Epoch.AddMinutes(version),
            Status = DeadLetterStatus.Pending,
        };
    }

    /// <summary>Every file in the store directory with the first offset of <paramref name="pattern"/> in it.</summary>
    public static IEnumerable<(string Path, long Offset)> FindAll(string directory, byte[] pattern)
    {
        foreach (var path in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            var offset = File.ReadAllBytes(path).AsSpan().IndexOf(pattern);
            if (offset >= 0)
            {
                yield return (path, offset);
            }
        }
    }

    /// <summary>The one file holding <paramref name="pattern"/> (and where), failing the test when there is not exactly one.</summary>
    public static (string Path, long Offset) FindSingle(string directory, byte[] pattern)
    {
        var found = FindAll(directory, pattern).ToList();
        found.Should().ContainSingle($"the marker '{Encoding.ASCII.GetString(pattern)}' should be in exactly one file of '{directory}'");
        return found[0];
    }

    public static string CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var path in Directory.GetFiles(source))
        {
            var name = Path.GetFileName(path);
            if (name is "LOCK" or "LOCK.owner")
            {
                continue;
            }

            File.Copy(path, Path.Combine(destination, name));
        }

        return destination;
    }

    public static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
    }

    public static void Overwrite(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Position = offset;
        file.Write(bytes);
    }

    /// <summary>Flips bits of the first byte of <paramref name="pattern"/> in one file, so the record holding it no longer verifies.</summary>
    public static void Damage(string path, byte[] pattern)
    {
        var offset = File.ReadAllBytes(path).AsSpan().IndexOf(pattern);
        offset.Should().BeGreaterThanOrEqualTo(0, $"'{Path.GetFileName(path)}' should hold the bytes to damage");
        Overwrite(path, offset, [(byte)(ReadByte(path, offset) ^ 0x55)]);
    }

    public static byte ReadByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        file.Position = offset;
        return (byte)file.ReadByte();
    }

    /// <summary>Whether a string is well-formed UTF-16 (no lone surrogate, no replacement character from a failed decode).</summary>
    public static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(text[i]) || text[i] == '\uFFFD')
            {
                return false;
            }
        }

        return true;
    }
}
