using System.Text;

namespace Resilience.Samples.StreamConsumer;

/// <summary>
/// The downstream system: a file of event ids, one per line, fsynced per write. Writing an id it already holds does
/// nothing (idempotent by event id), which is what lets the consumer replay events after a crash. It fails a seeded
/// share of writes with a transient error before writing anything, as a flaky network service would.
/// </summary>
public sealed class IdempotentFileSink : IDisposable
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly FileStream _file;
    private readonly Random _random;
    private readonly double _failureRate;

    public IdempotentFileSink(string path, int seed, double failureRate)
    {
        _random = new Random(seed);
        _failureRate = failureRate;
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var text = new StreamReader(_file, Encoding.UTF8, leaveOpen: true).ReadToEnd();

        // A crash can tear the last line: everything after the last newline was never acknowledged, so it goes.
        var complete = text.LastIndexOf('\n') + 1;
        foreach (var id in text[..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _ids.Add(id);
        }

        _file.SetLength(Encoding.UTF8.GetByteCount(text.AsSpan(0, complete)));
        _file.Seek(0, SeekOrigin.End);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _ids.Count;
            }
        }
    }

    public bool Contains(string id)
    {
        lock (_lock)
        {
            return _ids.Contains(id);
        }
    }

    /// <summary>Writes an event id durably; returns false when it was already there.</summary>
    public bool Write(string id)
    {
        lock (_lock)
        {
            if (_random.NextDouble() < _failureRate)
            {
                throw new IOException($"sink unavailable (writing {id})");
            }

            if (!_ids.Add(id))
            {
                return false;
            }

            _file.Write(Encoding.UTF8.GetBytes(id + "\n"));
            _file.Flush(flushToDisk: true);
            return true;
        }
    }

    public void Dispose() => _file.Dispose();
}
