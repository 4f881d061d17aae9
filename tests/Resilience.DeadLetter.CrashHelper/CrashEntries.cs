using System.Text;
using Resilience.DeadLetter;

namespace Resilience.DeadLetter.CrashHelper;

/// <summary>Entries whose content can be recomputed from their id, so a reader can check them.</summary>
public static class CrashEntries
{
    public static DeadLetterEntry Create(string id, int n) => new()
    {
        Id = id,
        OperationType = "crash-test",
        CreatedAt = DateTimeOffset.UnixEpoch.AddSeconds(n),
        UpdatedAt = DateTimeOffset.UnixEpoch.AddSeconds(n),
        Error = new DeadLetterError { Type = "System.IO.IOException", Message = "simulated " + id },
        Payload = Payload(id, n),
        AttemptCount = n % 7,
        MaxAttempts = 10,
    };

    public static byte[] Payload(string id, int n)
    {
        // 64..575 bytes, so records have varied sizes and alignments.
        var text = new StringBuilder();
        while (text.Length < 64 + (n * 37 % 512))
        {
            text.Append(id).Append('|');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
