using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Resilience.Checkpointing;

/// <summary>
/// Options of a <see cref="CheckpointManager"/>.
/// </summary>
public sealed class CheckpointManagerOptions
{
    /// <summary>Gets or sets the consumer group whose offsets the manager keeps.</summary>
    /// <value>The default value is <see langword="null"/>; it is required.</value>
    public string? ConsumerGroup { get; set; }

    /// <summary>Gets or sets how often the manager commits on its own; <see langword="null"/> commits only when asked (and on disposal).</summary>
    /// <value>The default value is 5 seconds. When set it must be greater than zero and at most one day.</value>
    public TimeSpan? AutoCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the time source of the automatic commits and of the snapshots' commit times.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the meter factory the lag gauge and commit histogram are created through; <see langword="null"/> uses the library's shared meter.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Gets or sets where failed automatic commits are logged (category <c>Resilience.Checkpointing</c>).</summary>
    /// <value>The default value is <see langword="null"/> (no logging).</value>
    public ILoggerFactory? LoggerFactory { get; set; }
}
