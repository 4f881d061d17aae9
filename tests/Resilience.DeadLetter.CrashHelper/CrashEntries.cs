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

    /// <summary>Version <paramref name="attempt"/> of an entry of the store workloads: the payload depends on the id only.</summary>
    public static DeadLetterEntry Versioned(string id, int attempt) => new()
    {
        Id = id,
        OperationType = "crash-workload",
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = UpdatedAtOf(attempt),
        Error = new DeadLetterError { Type = "System.IO.IOException", Message = "simulated " + id },
        Payload = Payload(id, id.Sum(c => c)),
        Context = new Dictionary<string, string> { ["owner"] = id[..11] },
        AttemptCount = attempt,
        MaxAttempts = 1_000_000,
        Status = StatusOf(attempt),
    };

    // Never Retrying: what opening does with that status belongs to the queue, not to the store under test.
    public static DeadLetterStatus StatusOf(int attempt) => (attempt % 4) switch
    {
        0 => DeadLetterStatus.Pending,
        1 => DeadLetterStatus.Recovered,
        2 => DeadLetterStatus.Exhausted,
        _ => DeadLetterStatus.Discarded,
    };

    public static DateTimeOffset UpdatedAtOf(int attempt) => DateTimeOffset.UnixEpoch.AddSeconds(attempt);

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
