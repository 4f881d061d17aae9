using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// A crash at every file-system step of a workload that adds, changes, deletes, rolls segments and compacts: the n-th
/// mutating operation (create, write — left half-written —, flush, set length, rename, delete, directory flush) fails
/// and every later one too, so the files stay exactly as a kill at that moment leaves them. Looping n over every step
/// of the workload, deterministically: a strict open always succeeds, every acknowledged change is there, and an
/// unacknowledged one is either there whole or not at all.
/// </summary>
public sealed class CrashPointTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CrashAtEveryFileOperation_StrictReopenHasEveryAcknowledgedChange()
    {
        var total = await RunAsync(_dir.Sub("dry-run"), crashAt: int.MaxValue);
        total.Should().BeGreaterThan(50, "the workload rolls segments and compacts");

        for (var crashAt = 1; crashAt <= total; crashAt++)
        {
            var directory = _dir.Sub("crash-" + crashAt);
            await RunAsync(directory, crashAt);
        }
    }

    private static async Task<int> RunAsync(string directory, int crashAt)
    {
        var files = new CrashingFileSystem(crashAt);
        var acknowledged = new Dictionary<string, DeadLetterEntry?>(StringComparer.Ordinal);
        (string Id, DeadLetterEntry? State)? inDoubt = null;
        FileDeadLetterStore store;
        try
        {
            store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory, SegmentSize = 8 * 1024 }, files);
        }
        catch (IOException) when (files.Crashed)
        {
            // The crash came while the store was being created: nothing was acknowledged.
            await AssertReopenAsync(directory, crashAt, files, acknowledged, inDoubt);
            return files.Operations;
        }

        try
        {
            for (var step = 0; step < 40 && inDoubt is null; step++)
            {
                var id = $"entry-{step % 12:D6}";
                var current = store.Find(id);
                try
                {
                    if (step % 9 == 8)
                    {
                        await store.CompactAsync();
                    }
                    else if (current is null)
                    {
                        var added = TestEntries.Create(step % 12, payloadBytes: 700);
                        inDoubt = (id, added);
                        await store.SaveAsync([added]);
                        acknowledged[id] = added;
                    }
                    else if (step % 5 == 0)
                    {
                        inDoubt = (id, null);
                        await store.DeleteAsync([id]);
                        acknowledged[id] = null;
                    }
                    else
                    {
                        var changed = current with { AttemptCount = current.AttemptCount + 1, Status = DeadLetterStatus.Retrying };
                        inDoubt = (id, changed);
                        (await store.TryUpdateAsync(changed)).Should().NotBeNull();
                        acknowledged[id] = changed;
                    }

                    inDoubt = null;
                }
                catch (Exception ex) when (files.Crashed && ex is IOException or DeadLetterStoreFaultedException)
                {
                    // The crash: this change is in doubt, nothing after it runs.
                    inDoubt ??= (string.Empty, null);
                }
            }
        }
        finally
        {
            await store.DisposeAsync();
        }

        if (crashAt != int.MaxValue)
        {
            await AssertReopenAsync(directory, crashAt, files, acknowledged, inDoubt);
        }

        return files.Operations;
    }

    private static async Task AssertReopenAsync(string directory, int crashAt, CrashingFileSystem files, Dictionary<string, DeadLetterEntry?> acknowledged, (string Id, DeadLetterEntry? State)? inDoubt)
    {
        // Recovery itself writes (zeroing a torn tail, finishing a roll or a segment's creation): crash it at each of
        // its steps too, on a copy, and the next open must still find every acknowledged change.
        var counting = new CrashingFileSystem(int.MaxValue);
        var probe = Copy(directory, directory + "-probe");
        await FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = probe, SegmentSize = 8 * 1024 }, counting).DisposeAsync();
        for (var recoveryCrash = 1; recoveryCrash <= counting.Operations; recoveryCrash++)
        {
            var copy = Copy(directory, directory + "-recovery-" + recoveryCrash);
            try
            {
                await FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = copy, SegmentSize = 8 * 1024 }, new CrashingFileSystem(recoveryCrash)).DisposeAsync();
            }
            catch (IOException)
            {
            }

            await AssertAcknowledgedAsync(copy, $"{crashAt}, then during recovery at {recoveryCrash}", files, acknowledged, inDoubt);
        }

        await AssertAcknowledgedAsync(directory, crashAt.ToString(System.Globalization.CultureInfo.InvariantCulture), files, acknowledged, inDoubt);
    }

    private static string Copy(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source))
        {
            if (!Path.GetFileName(file).StartsWith("LOCK", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
            }
        }

        return destination;
    }

    private static async Task AssertAcknowledgedAsync(string directory, string crashAt, CrashingFileSystem files, Dictionary<string, DeadLetterEntry?> acknowledged, (string Id, DeadLetterEntry? State)? inDoubt)
    {
        FileDeadLetterStore reopened;
        try
        {
            reopened = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = directory, SegmentSize = 8 * 1024 });
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"Strict open failed after a crash at file operation {crashAt} ({files.CrashedOperation}).", ex);
        }

        await using (reopened)
        {
            foreach (var (id, expected) in acknowledged)
            {
                var actual = reopened.Find(id);
                var doubt = inDoubt is { } d && d.Id == id;
                if (doubt && Matches(actual, inDoubt!.Value.State))
                {
                    continue;
                }

                Matches(actual, expected).Should().BeTrue($"entry {id} must hold its last acknowledged state after a crash at operation {crashAt} ({files.CrashedOperation})");
            }

            foreach (var entry in reopened.GetAll())
            {
                (acknowledged.ContainsKey(entry.Id) || inDoubt?.Id == entry.Id).Should().BeTrue($"{entry.Id} was never acknowledged (crash at {crashAt})");
            }
        }
    }

    private static bool Matches(DeadLetterEntry? actual, DeadLetterEntry? expected)
        => actual is null || expected is null
            ? actual is null && expected is null
            : actual.AttemptCount == expected.AttemptCount && actual.Status == expected.Status && actual.Payload.Span.SequenceEqual(expected.Payload.Span);

    /// <summary>Fails the n-th mutating file operation (a write is left half-done) and every one after it.</summary>
    private sealed class CrashingFileSystem(int crashAt) : LogFileSystem
    {
        public int Operations { get; private set; }

        public bool Crashed => Operations >= crashAt;

        public string? CrashedOperation { get; private set; }

        public override LogFile Open(string path, bool createNew)
        {
            if (createNew)
            {
                Step("create " + Path.GetFileName(path));
            }

            return new CrashingFile(base.Open(path, createNew), this, Path.GetFileName(path));
        }

        public override void Move(string source, string destination)
        {
            Step("rename " + Path.GetFileName(source));
            base.Move(source, destination);
        }

        public override void Delete(string path)
        {
            Step("delete " + Path.GetFileName(path));
            base.Delete(path);
        }

        public override void FlushDirectory(string directory)
        {
            Step("flush directory");
            base.FlushDirectory(directory);
        }

        /// <summary>Counts an operation; throws when it is the crash or comes after it.</summary>
        public bool Step(string what, Action? partial = null)
        {
            lock (this)
            {
                Operations++;
                if (Operations < crashAt)
                {
                    return false;
                }

                if (Operations == crashAt)
                {
                    CrashedOperation = what;
                    partial?.Invoke();
                }
            }

            throw new IOException("crash at " + what);
        }

        private sealed class CrashingFile(LogFile inner, CrashingFileSystem owner, string name) : LogFile
        {
            public override long Length => inner.Length;

            public override int Read(Span<byte> destination, long offset) => inner.Read(destination, offset);

            public override void Write(ReadOnlySpan<byte> source, long offset)
            {
                var bytes = source.ToArray();
                owner.Step("write " + name, () => inner.Write(bytes.AsSpan(0, bytes.Length / 2), offset));
                inner.Write(source, offset);
            }

            public override void Flush()
            {
                owner.Step("flush " + name);
                inner.Flush();
            }

            public override void SetLength(long length)
            {
                owner.Step("set length " + name);
                inner.SetLength(length);
            }

            public override bool IsMapped => inner.IsMapped;

            public override void ReserveAndMap(long length)
            {
                owner.Step("reserve " + name);
                inner.ReserveAndMap(length);
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}
