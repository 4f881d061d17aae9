using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The file operations the log needs, in one place so tests can inject failures (a disk that fails on write or
/// on flush) and so every file is created with owner-only permissions.
/// </summary>
internal class LogFileSystem
{
    public static LogFileSystem Default { get; } = new();

    public virtual LogFile Open(string path, bool createNew)
    {
        if (!createNew)
        {
            // CreateNew never follows a link (it fails on any existing name); an existing file is checked first.
            LogDirectory.EnsureNotLink(path);
        }

        return new LogFile(new FileStream(path, LogDirectory.PrivateFile(createNew ? FileMode.CreateNew : FileMode.Open, FileShare.Read)));
    }

    /// <summary>
    /// Opens a file of the log for reading records on demand. It shares deletion, so compaction can remove or rename
    /// the file while a read is in flight (the data stays readable through the handle).
    /// </summary>
    public virtual LogFile OpenRead(string path) => new(new FileStream(path, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.ReadWrite | FileShare.Delete,
        BufferSize = 0,
    }));

    public virtual void Move(string source, string destination) => File.Move(source, destination, overwrite: true);

    public virtual void Delete(string path) => File.Delete(path);

    /// <summary>
    /// Makes a rename or a new file durable by flushing the directory itself (needed on Unix; a no-op on Windows).
    /// </summary>
    public virtual void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = NativeMethods.Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Could not open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.FSync(fd) != 0)
            {
                throw new IOException($"Could not flush directory '{directory}' (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }
}

/// <summary>One open log file.</summary>
internal class LogFile : IDisposable
{
    private readonly FileStream? _stream;
    private readonly SafeFileHandle? _handle;

    // The stream is unbuffered (BufferSize 0), so positional I/O on its handle is the only I/O there is. The handle
    // is taken once: FileStream.SafeFileHandle syncs the stream's position with a seek on every read of it, a system
    // call per write.
    public LogFile(FileStream stream)
    {
        _stream = stream;
        _handle = stream.SafeFileHandle;
    }

    protected LogFile()
    {
    }

    public virtual long Length => RandomAccess.GetLength(Handle);

    private SafeFileHandle Handle => _handle ?? throw new InvalidOperationException("This log file has no handle.");

    public virtual int Read(Span<byte> destination, long offset) => RandomAccess.Read(Handle, destination, offset);

    public virtual void Write(ReadOnlySpan<byte> source, long offset) => RandomAccess.Write(Handle, source, offset);

    public virtual void Flush() => RandomAccess.FlushToDisk(Handle);

    public virtual void SetLength(long length) => RandomAccess.SetLength(Handle, length);

    /// <summary>
    /// Gets where the next byte that may be non-zero lies at or after <paramref name="offset"/>: holes of a sparse
    /// (preallocated) file are skipped on Linux; -1 when only holes follow. Elsewhere, or when the file system cannot
    /// tell, every byte may be data and <paramref name="offset"/> is returned.
    /// </summary>
    public virtual long NextDataOffset(long offset)
    {
        if (_stream is null || !OperatingSystem.IsLinux())
        {
            return offset;
        }

        const int SeekData = 3;
        const int NoSuchDeviceOrAddress = 6; // ENXIO: no data at or after the offset.
        var handle = _handle!;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var next = NativeMethods.LSeek((int)handle.DangerousGetHandle(), offset, SeekData);
            if (next >= 0)
            {
                return next;
            }

            return Marshal.GetLastPInvokeError() == NoSuchDeviceOrAddress ? -1 : offset;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream?.Dispose();
        }
    }
}

internal static partial class NativeMethods
{
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();
}
