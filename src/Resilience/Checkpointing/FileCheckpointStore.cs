using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Resilience.Checkpointing.Internal;
using Resilience.DeadLetter.Internal;

namespace Resilience.Checkpointing;

/// <summary>
/// Keeps each consumer group's snapshot in a small file, replaced atomically: the new snapshot is written to a
/// temporary file and fsynced, the current file becomes the previous generation, the temporary file is renamed over
/// the current one, and the directory is fsynced; only then does <see cref="SaveAsync"/> complete. Every file carries
/// a CRC-32C, and a corrupted current file falls back to the previous generation, reported through
/// <see cref="FileCheckpointStoreOptions.OnCorruption"/> and the log, never as "nothing committed". Thread-safe.
/// </summary>
/// <remarks>
/// A crash at any point leaves the last acknowledged snapshot readable: before the renames the old files are
/// untouched; between them the current file is missing and the previous generation is the last acknowledged one. A
/// leftover temporary file was never acknowledged and is ignored. One process owns the directory (a lock file).
/// </remarks>
public sealed class FileCheckpointStore : ICheckpointStore, IDisposable
{
    private const string CurrentSuffix = ".ckpt";
    private const string PreviousSuffix = ".ckpt.prev";
    private const string TemporarySuffix = ".ckpt.tmp";

    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly LogFileSystem _files;
    private readonly FileStream _directoryLock;
    private readonly Action<CheckpointCorruptionArguments>? _onCorruption;
    private readonly ILogger _logger;
    private bool _disposed;

    private FileCheckpointStore(string directory, LogFileSystem files, FileStream directoryLock, FileCheckpointStoreOptions options)
    {
        _directory = directory;
        _files = files;
        _directoryLock = directoryLock;
        _onCorruption = options.OnCorruption;
        _logger = options.LoggerFactory?.CreateLogger(CheckpointLog.Category) ?? NullLogger.Instance;
    }

    /// <summary>Gets the full path of the store's directory.</summary>
    public string Directory => _directory;

    /// <summary>Opens (creating it when missing) a checkpoint directory and takes its lock.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The store; dispose it to release the directory.</returns>
    /// <exception cref="ArgumentException"><see cref="FileCheckpointStoreOptions.Directory"/> is not set.</exception>
    /// <exception cref="IOException">The directory cannot be used or another process holds it.</exception>
    public static FileCheckpointStore Open(FileCheckpointStoreOptions options) => Open(options, LogFileSystem.Default);

    internal static FileCheckpointStore Open(FileCheckpointStoreOptions options, LogFileSystem files)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Directory))
        {
            throw new ArgumentException("FileCheckpointStoreOptions.Directory must be set.", nameof(options));
        }

        var directory = LogDirectory.Prepare(options.Directory, "checkpoint");
        var directoryLock = LogDirectory.AcquireLock(directory, "checkpoint");
        return new FileCheckpointStore(directory, files, directoryLock, options);
    }

    /// <inheritdoc/>
    public ValueTask<CheckpointSnapshot?> LoadAsync(string consumerGroup, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerGroup);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new(Load(consumerGroup));
        }
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(CheckpointSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        cancellationToken.ThrowIfCancellationRequested();
        var bytes = CheckpointCodec.Encode(snapshot);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Save(snapshot.ConsumerGroup, bytes);
        }

        return default;
    }

    /// <summary>Releases the directory's lock.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _directoryLock.Dispose();
        }
    }

    private void Save(string consumerGroup, byte[] bytes)
    {
        var current = PathOf(consumerGroup, CurrentSuffix);
        var temporary = PathOf(consumerGroup, TemporarySuffix);

        // A temporary file left by a crash was never acknowledged: it is replaced, not trusted.
        if (File.Exists(temporary))
        {
            _files.Delete(temporary);
        }

        using (var file = _files.Open(temporary, createNew: true))
        {
            file.Write(bytes, 0);
            file.Flush();
        }

        if (File.Exists(current))
        {
            LogDirectory.EnsureNotLink(current);
            _files.Move(current, PathOf(consumerGroup, PreviousSuffix));
        }

        _files.Move(temporary, current);
        _files.FlushDirectory(_directory);
    }

    private CheckpointSnapshot? Load(string consumerGroup)
    {
        var current = PathOf(consumerGroup, CurrentSuffix);
        var previous = PathOf(consumerGroup, PreviousSuffix);
        var fromCurrent = Read(current, consumerGroup, out var currentError);
        if (fromCurrent is not null)
        {
            return fromCurrent;
        }

        var fromPrevious = Read(previous, consumerGroup, out var previousError);
        if (fromPrevious is not null)
        {
            // No current file is the crash window between the two renames: the previous generation is the last
            // acknowledged one, nothing was lost. A current file that exists but is unreadable is corruption.
            if (currentError is not null)
            {
                CheckpointLog.Corrupted(_logger, current, consumerGroup, currentError, fromPrevious.Generation);
                _onCorruption?.Invoke(new CheckpointCorruptionArguments(consumerGroup, current, currentError, fromPrevious.Generation));
            }

            return fromPrevious;
        }

        if (currentError is null && previousError is null)
        {
            return null;
        }

        throw new CheckpointCorruptedException(
            $"No intact checkpoint of consumer group '{consumerGroup}' in '{_directory}': {Describe(current, currentError)}; {Describe(previous, previousError)}. " +
            "Restore a copy or delete both files to start the group over, deliberately.");
    }

    // Null with a null error: the file does not exist.
    private static CheckpointSnapshot? Read(string path, string consumerGroup, out string? error)
    {
        error = null;
        if (!File.Exists(path))
        {
            return null;
        }

        LogDirectory.EnsureNotLink(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            error = "unreadable: " + ex.Message;
            return null;
        }

        var snapshot = CheckpointCodec.TryDecode(bytes, consumerGroup, out var decodeError);
        error = snapshot is null ? decodeError : null;
        return snapshot;
    }

    private static string Describe(string path, string? error) => error is null ? $"'{Path.GetFileName(path)}' is missing" : $"'{Path.GetFileName(path)}' is {error}";

    // Group names become file names: kept as they are when safe, hex-encoded otherwise, so no name escapes the directory.
    private string PathOf(string consumerGroup, string suffix)
    {
        var safe = consumerGroup.Length <= 100 && consumerGroup.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && consumerGroup[0] != '.';
        var name = safe ? consumerGroup : "x-" + Convert.ToHexString(Encoding.UTF8.GetBytes(consumerGroup));
        return Path.Combine(_directory, name + suffix);
    }
}
