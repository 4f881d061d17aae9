using System.IO.MemoryMappedFiles;
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

/// <summary>
/// One open log file. The segment being written may be mapped (<see cref="ReserveAndMap"/>): its writes are then copies
/// into the shared mapping, that is into the page cache, with no system call.
/// </summary>
/// <remarks>
/// A copy into a shared mapping is in the OS once it is done, as a <c>pwrite</c> is: the process may die right after,
/// the kernel writes the pages back. Reads of records go through other handles (<see cref="RecordFile"/>, positional
/// reads): on Linux the page cache is one per file, so they see the mapped bytes as soon as they are copied. Only
/// blocks reserved beforehand are mapped, because a store into a hole of a sparse file that the disk cannot fill
/// raises SIGBUS and kills the process, where a failing <c>pwrite</c> is an exception the log turns into a fault.
/// </remarks>
internal class LogFile : IDisposable
{
    private const int NoSpace = 28; // ENOSPC

    // Made once, on the first durable log's first zero-fill: 64 KB that stay zero for the process's life.
    private static readonly Lazy<byte[]> ZeroChunk = new(() => new byte[64 * 1024]);

    private readonly FileStream? _stream;
    private readonly SafeFileHandle? _handle;
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private long _mappedLength;

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

    /// <summary>Gets a value indicating whether writes are copies into a mapping (see <see cref="ReserveAndMap"/>).</summary>
    public virtual bool IsMapped => _view is not null;

    private SafeFileHandle Handle => _handle ?? throw new InvalidOperationException("This log file has no handle.");

    public virtual int Read(Span<byte> destination, long offset) => RandomAccess.Read(Handle, destination, offset);

    public virtual void Write(ReadOnlySpan<byte> source, long offset)
    {
        if (_view is { } view && offset >= 0 && offset + source.Length <= _mappedLength)
        {
            view.SafeMemoryMappedViewHandle.WriteSpan((ulong)(view.PointerOffset + offset), source);
            return;
        }

        RandomAccess.Write(Handle, source, offset);
    }

    /// <summary>
    /// Writes zeros over <paramref name="length"/> bytes from <paramref name="offset"/>: one gathering write on a real
    /// file, chunks through <see cref="Write"/> otherwise (so a test's file sees them as writes).
    /// </summary>
    public virtual void WriteZeros(long offset, long length)
    {
        var zeros = ZeroChunk.Value;
        if (_handle is { } handle && _view is null)
        {
            var chunks = new ReadOnlyMemory<byte>[(int)((length + zeros.Length - 1) / zeros.Length)];
            for (var i = 0; i < chunks.Length; i++)
            {
                chunks[i] = zeros.AsMemory(0, (int)Math.Min(zeros.Length, length - ((long)i * zeros.Length)));
            }

            RandomAccess.Write(handle, chunks, offset);
            return;
        }

        for (long done = 0; done < length; done += zeros.Length)
        {
            Write(zeros.AsSpan(0, (int)Math.Min(zeros.Length, length - done)), offset + done);
        }
    }

    /// <summary>
    /// Makes what was written durable: the file's fsync. On Linux a shared mapping's dirty pages are the file's page
    /// cache, which the fsync writes; elsewhere the view is flushed first (msync), as those systems need.
    /// </summary>
    public virtual void Flush()
    {
        if (!OperatingSystem.IsLinux())
        {
            _view?.Flush();
        }

        RandomAccess.FlushToDisk(Handle);
    }

    /// <summary>Sets the file's length; a mapping is dropped first (a shorter file under it would fault on access).</summary>
    public virtual void SetLength(long length)
    {
        Unmap();
        RandomAccess.SetLength(Handle, length);
    }

    /// <summary>
    /// Reserves the disk blocks of the file's first <paramref name="length"/> bytes (posix_fallocate) and maps them
    /// for writing, on Linux; elsewhere it does nothing and writes stay positional writes.
    /// </summary>
    /// <param name="length">The bytes to reserve and map (the file is at least this long).</param>
    /// <exception cref="IOException">The blocks cannot be reserved (the disk is full): the file is left unmapped.</exception>
    public virtual void ReserveAndMap(long length)
    {
        Unmap();
        if (_stream is null || !OperatingSystem.IsLinux() || length <= 0)
        {
            return;
        }

        var handle = _handle!;
        var added = false;
        int error;
        try
        {
            handle.DangerousAddRef(ref added);
            error = NativeMethods.PosixFallocate((int)handle.DangerousGetHandle(), 0, length);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        if (error != 0)
        {
            // posix_fallocate returns the error rather than setting errno.
            throw new IOException(error == NoSpace
                ? $"Could not reserve {length} bytes for '{_stream.Name}': the disk is full (ENOSPC)."
                : $"Could not reserve {length} bytes for '{_stream.Name}' (errno {error}).");
        }

        var map = MemoryMappedFile.CreateFromFile(handle, mapName: null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        try
        {
            _view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
        }
        catch
        {
            map.Dispose();
            throw;
        }

        _map = map;
        _mappedLength = length;
    }

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
            Unmap();
            _stream?.Dispose();
        }
    }

    private void Unmap()
    {
        _view?.Dispose();
        _map?.Dispose();
        _view = null;
        _map = null;
        _mappedLength = 0;
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

    [LibraryImport("libc", EntryPoint = "posix_fallocate")]
    public static partial int PosixFallocate(int fd, long offset, long length);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();
}
