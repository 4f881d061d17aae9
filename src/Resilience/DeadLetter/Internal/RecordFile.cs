namespace Resilience.DeadLetter.Internal;

/// <summary>
/// A read-only handle on one segment or snapshot, shared by the entries whose records it holds, so payloads are read on
/// demand instead of being kept in memory. Reference counted: the log holds one reference while the file is live;
/// a reader takes one (under the store's lock, while a location naming this file is current) for the length of its
/// read. Compaction first moves every location off a file and only then retires it, so a reader either got a location
/// in time to finish its read on the still-open handle, or gets the new location; the handle closes with the last
/// reference. The handle allows deletion, so removing or renaming the path never breaks a read in flight.
/// </summary>
internal sealed class RecordFile
{
    private readonly LogFile _file;
    private int _references = 1;

    public RecordFile(string path, LogFile file)
    {
        Path = path;
        _file = file;
    }

    public string Path { get; }

    /// <summary>Takes a reference for a read; <see langword="false"/> once the file is retired and closed.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _file.Dispose();
        }
    }

    /// <summary>Drops the log's own reference: no location names the file anymore.</summary>
    public void Retire() => Release();

    /// <summary>Reads as many bytes as there are, up to the buffer's length (the caller holds a reference).</summary>
    public int ReadUpTo(Span<byte> destination, long offset) => LogFileReader.ReadAt(_file, destination, offset);

    /// <summary>Reads the bytes at a location (the caller holds a reference).</summary>
    public void ReadExactly(Span<byte> destination, long offset)
    {
        if (LogFileReader.ReadAt(_file, destination, offset) != destination.Length)
        {
            throw new DeadLetterStoreCorruptedException(Path, offset, "a record the index points to lies past the end of the file");
        }
    }
}
