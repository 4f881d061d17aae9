using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Issue 17 (64 producers through the queue): <see cref="DeadLetterQueue.AddAsync(string, ReadOnlyMemory{byte}, Exception, DeadLetterFailureReason, IReadOnlyDictionary{string, string}?, CancellationToken)"/>
/// returns the stored entry (with the version the store gave it) without reading its record back from disk, which
/// every add did once payloads stopped being resident: a read and a decode per enqueue, about a sixth of the CPU of
/// 64 producers.
/// </summary>
public sealed class QueueAddReadBackTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AddAsync_OverAFileStore_ReturnsTheStoredEntryWithoutReadingItBack()
    {
        var files = new ReadCountingFileSystem();
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path }, files);
        await using var queue = DeadLetterQueue.Create(store, new DeadLetterQueueOptions());
        var payload = new byte[] { 1, 2, 3, 4 };
        var added = new List<DeadLetterEntry>();
        var reads = files.Reads;
        for (var i = 0; i < 20; i++)
        {
            added.Add(await queue.AddAsync("charge-card", payload, new IOException("down " + i)));
        }

        files.Reads.Should().Be(reads, "the entry an add returns comes from the write, not from a read of its record");

        payload[0] = 99;
        foreach (var entry in added)
        {
            var stored = store.Find(entry.Id)!;
            entry.Version.Should().Be(stored.Version, "the returned entry carries the version the store gave it");
            entry.Payload.ToArray().Should().Equal(stored.Payload.ToArray());
            entry.Payload.ToArray().Should().Equal([1, 2, 3, 4], "the returned entry does not share the caller's buffer");
            entry.Error.Message.Should().Be(stored.Error.Message);
            entry.FailureGroup.Should().Be(stored.FailureGroup);
            entry.CreatedAt.Should().Be(stored.CreatedAt);
            entry.NextAttemptAt.Should().Be(stored.NextAttemptAt);
            entry.Status.Should().Be(stored.Status);
        }
    }

    /// <summary>A real file system that counts reads of records (through the handles records are read with).</summary>
    private sealed class ReadCountingFileSystem : LogFileSystem
    {
        private long _reads;

        public long Reads => Interlocked.Read(ref _reads);

        public override LogFile OpenRead(string path) => new CountingFile(base.OpenRead(path), this);

        private sealed class CountingFile(LogFile inner, ReadCountingFileSystem owner) : DelegatingLogFile(inner)
        {
            public override int Read(Span<byte> destination, long offset)
            {
                Interlocked.Increment(ref owner._reads);
                return Inner.Read(destination, offset);
            }
        }
    }
}
