using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// A log file that passes every operation to a real one; the fault-injecting file systems of the tests override only
/// the operation they interfere with.
/// </summary>
internal abstract class DelegatingLogFile(LogFile inner) : LogFile
{
    protected LogFile Inner => inner;

    public override long Length => inner.Length;

    public override int Read(Span<byte> destination, long offset) => inner.Read(destination, offset);

    public override void Write(ReadOnlySpan<byte> source, long offset) => inner.Write(source, offset);

    public override void Flush() => inner.Flush();

    public override void SetLength(long length) => inner.SetLength(length);

    public override bool IsMapped => inner.IsMapped;

    public override void ReserveAndMap(long length) => inner.ReserveAndMap(length);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
