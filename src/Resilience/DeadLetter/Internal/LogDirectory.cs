using System.Globalization;
using System.Text;

namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Creates and checks a log's directory and takes its lock. The directory holds data the application could not
/// deliver (often request data and secrets), so it is private to the owner: created 0700 on Unix, refused when it
/// is a symbolic link, and no file in it is opened through a link. Once the directory is verified as the current
/// user's and private, no other user can plant a link in it, so checking a name before opening it is race-free.
/// </summary>
internal static class LogDirectory
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string Prepare(string directory, string description)
    {
        var full = Path.GetFullPath(directory);
        try
        {
            var info = new DirectoryInfo(full);
            if (info.Exists && info.LinkTarget is not null)
            {
                throw new IOException($"The {description} directory '{full}' is a symbolic link (to '{info.LinkTarget}'); use the real directory, so nobody can redirect where the data goes.");
            }

            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(full);
            }
            else
            {
                if (!info.Exists)
                {
                    Directory.CreateDirectory(full, OwnerOnlyDirectory);
                }

                EnsureOwnedByCurrentUser(full, description);
                var mode = File.GetUnixFileMode(full);
                if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
                {
                    // Tightening our own directory is safe; failing would leave the data readable to others.
                    File.SetUnixFileMode(full, OwnerOnlyDirectory);
                }
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new IOException($"The {description} directory '{full}' does not exist and cannot be created, or its permissions cannot be set: {ex.Message}", ex);
        }
        catch (IOException ex) when (ex is not DeadLetterStoreCorruptedException && !ex.Message.Contains(full, StringComparison.Ordinal))
        {
            throw new IOException($"The {description} directory '{full}' cannot be used: {ex.Message}", ex);
        }

        return full;
    }

    /// <summary>
    /// Refuses a directory another user owns (they could read the data or plant files the handlers would replay).
    /// Checked on Linux through statx, whose layout is the same on every architecture; elsewhere the mode check stands alone.
    /// </summary>
    private static void EnsureOwnedByCurrentUser(string directory, string description)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        const int AtFdCwd = -100;
        const int AtSymlinkNoFollow = 0x100;
        const uint StatxUid = 0x8;
        Span<byte> buffer = stackalloc byte[256];
        int result;
        try
        {
            result = NativeMethods.Statx(AtFdCwd, directory, AtSymlinkNoFollow, StatxUid, ref buffer[0]);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return;
        }

        if (result != 0)
        {
            return;
        }

        var owner = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer[20..]);
        var current = NativeMethods.GetEffectiveUserId();
        if (owner != current)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"The {description} directory '{directory}' is owned by user {owner}, not by the current user {current}; use a directory of your own, so no other user can read the data or plant files in it."));
        }
    }

    /// <summary>Refuses a path that is a symbolic link.</summary>
    public static void EnsureNotLink(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw new IOException($"The file '{path}' is a symbolic link (to '{info.LinkTarget}'); the store never writes through a link. Remove it.");
        }
    }

    /// <summary>Takes the directory's exclusive lock and records who holds it.</summary>
    public static FileStream AcquireLock(string directory, string description)
    {
        var lockPath = Path.Combine(directory, "LOCK");
        var ownerPath = Path.Combine(directory, "LOCK.owner");
        EnsureNotLink(lockPath);
        EnsureNotLink(ownerPath);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(lockPath, PrivateFile(FileMode.OpenOrCreate, FileShare.None));
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException($"The {description} directory '{directory}' is not writable: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            string holder;
            try
            {
                holder = File.ReadAllText(ownerPath).Trim();
            }
            catch (Exception readFailure) when (readFailure is IOException or UnauthorizedAccessException)
            {
                holder = "an unknown process";
            }

            throw new IOException($"The {description} directory '{directory}' is locked by {holder}. One process (one instance) owns a directory at a time.", ex);
        }

        try
        {
            using var owner = new FileStream(ownerPath, PrivateFile(FileMode.Create, FileShare.Read));
            owner.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} ({Environment.MachineName})")));
            if (!OperatingSystem.IsWindows())
            {
                // A file left by an older version may be 0644: creation modes apply only to new files.
                File.SetUnixFileMode(owner.SafeFileHandle, OwnerOnlyFile);
                File.SetUnixFileMode(lockFile.SafeFileHandle, OwnerOnlyFile);
            }
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }

        return lockFile;
    }

    /// <summary>Options for a file only the owner may read or write.</summary>
    public static FileStreamOptions PrivateFile(FileMode mode, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.ReadWrite, Share = share, BufferSize = 0 };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open)
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        return options;
    }
}
