using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// A real file system whose next flush can be held on a gate, so a test can stop the store's writer inside its fsync
/// and queue more requests behind it: ordering races become deterministic instead of timing-dependent.
/// </summary>
internal sealed class GatedFileSystem : LogFileSystem
{
    private readonly Lock _lock = new();
    private FlushGate? _armed;

    /// <summary>Holds the next <see cref="LogFile.Flush"/> of any file until the returned gate is released.</summary>
    public FlushGate ArmFlushGate()
    {
        lock (_lock)
        {
            _armed = new FlushGate();
            return _armed;
        }
    }

    public override LogFile Open(string path, bool createNew) => new GatedFile(base.Open(path, createNew), this);

    private FlushGate? TakeArmed()
    {
        lock (_lock)
        {
            var gate = _armed;
            _armed = null;
            return gate;
        }
    }

    internal sealed class FlushGate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Gets a task that completes when the writer is blocked inside the flush.</summary>
        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        internal void Block()
        {
            _entered.TrySetResult();

            // The writer thread must really stop here (it holds the store's file lock), so this is a blocking wait;
            // the bound only keeps a broken test from hanging the run.
            if (!_released.Task.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("The flush gate was never released.");
            }
        }
    }

    private sealed class GatedFile : LogFile
    {
        private readonly LogFile _inner;
        private readonly GatedFileSystem _owner;

        public GatedFile(LogFile inner, GatedFileSystem owner)
        {
            _inner = inner;
            _owner = owner;
        }

        public override long Length => _inner.Length;

        public override int Read(Span<byte> destination, long offset) => _inner.Read(destination, offset);

        public override void Write(ReadOnlySpan<byte> source, long offset) => _inner.Write(source, offset);

        public override void Flush()
        {
            _inner.Flush();
            _owner.TakeArmed()?.Block();
        }

        public override void SetLength(long length) => _inner.SetLength(length);

        public override bool IsMapped => _inner.IsMapped;

        public override void ReserveAndMap(long length) => _inner.ReserveAndMap(length);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
