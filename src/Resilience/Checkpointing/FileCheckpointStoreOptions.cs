namespace Resilience.Checkpointing;

/// <summary>
/// Options of a <see cref="FileCheckpointStore"/>.
/// </summary>
public sealed class FileCheckpointStoreOptions
{
    /// <summary>Gets or sets the directory of the checkpoint files; created (owner-only) when missing. One process owns it at a time.</summary>
    /// <value>The default value is <see langword="null"/>; it is required.</value>
    public string? Directory { get; set; }

    /// <summary>
    /// Gets or sets what is told when the current checkpoint file is corrupted and the store loads the previous
    /// generation instead. Whatever it does, the fallback happens; when no intact copy is left the load throws
    /// <see cref="CheckpointCorruptedException"/> instead.
    /// </summary>
    /// <value>The default value is <see langword="null"/>; the fallback is still logged through <see cref="LoggerFactory"/> when one is set.</value>
    public Action<CheckpointCorruptionArguments>? OnCorruption { get; set; }

    /// <summary>Gets or sets where a fallback is logged as a warning (category <c>Resilience.Checkpointing</c>).</summary>
    /// <value>The default value is <see langword="null"/> (no logging).</value>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }
}
