using System.ComponentModel;

namespace Resilience.DeadLetter;

/// <summary>
/// Options of a <see cref="DeadLetterQueue"/>: its store, its limits, and how its processor retries entries.
/// </summary>
public sealed class DeadLetterQueueOptions
{
    /// <summary>Gets or sets the directory of the durable store; <see langword="null"/> keeps entries in memory only.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Directory { get; set; }

    /// <summary>
    /// Gets or sets a factory of the store <see cref="DeadLetterQueue.Open"/> uses instead of <see cref="Directory"/>
    /// (for example a database store's <c>UsePostgreSql</c>); the queue owns and disposes the store it creates.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (a file store in <see cref="Directory"/>, or memory).</value>
    public Func<DeadLetterQueueOptions, IDeadLetterStore>? StoreFactory { get; set; }

    /// <summary>Gets or sets when writes to the durable store are acknowledged.</summary>
    /// <value>The default value is <see cref="DurabilityMode.Always"/>.</value>
    public DurabilityMode Durability { get; set; } = DurabilityMode.Always;

    /// <summary>Gets or sets what opening does with mid-log corruption.</summary>
    /// <value>The default value is <see cref="CorruptionHandling.Strict"/>.</value>
    public CorruptionHandling CorruptionHandling { get; set; } = CorruptionHandling.Strict;

    /// <summary>Gets or sets the largest payload accepted, in bytes.</summary>
    /// <value>The default value is 1 MiB.</value>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets the most entries the queue holds.</summary>
    /// <value>The default value is 100,000.</value>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>
    /// Gets or sets the most bytes the queue's entries take when stored — payload, context and error text together
    /// (<see cref="DeadLetterLimits.EncodedSize"/>), not the payload alone.
    /// </summary>
    /// <value>The default value is 1 GiB.</value>
    public long MaxBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Gets or sets what a full queue does with a new entry.</summary>
    /// <value>The default value is <see cref="OverflowPolicy.RejectNew"/>.</value>
    public OverflowPolicy OverflowPolicy { get; set; } = OverflowPolicy.RejectNew;

    /// <summary>Gets or sets how long <see cref="DeadLetterStatus.Recovered"/> and <see cref="DeadLetterStatus.Discarded"/> entries are kept.</summary>
    /// <value>The default value is 7 days.</value>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Gets or sets how long <see cref="DeadLetterStatus.Archived"/> entries are kept (from when they were archived).</summary>
    /// <value>The default value is 30 days.</value>
    public TimeSpan ArchiveRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Gets or sets what computes an entry's <see cref="DeadLetterEntry.FailureGroup"/>.</summary>
    /// <value>The default value is <see cref="DeadLetterFingerprinter.Default"/>.</value>
    public IDeadLetterFingerprinter Fingerprinter { get; set; } = DeadLetterFingerprinter.Default;

    /// <summary>Gets or sets how many retry attempts a new entry gets.</summary>
    /// <value>The default value is 10.</value>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Gets or sets the delay before the first retry; it doubles with each attempt (with jitter: 50-100 % of it).</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest delay between retries.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many attempts the processor runs at once.</summary>
    /// <value>The default value is 4.</value>
    public int MaxConcurrentAttempts { get; set; } = 4;

    /// <summary>Gets or sets after how many consecutive failures of one operation type the processor pauses that type.</summary>
    /// <value>The default value is 5.</value>
    public int PauseAfterConsecutiveFailures { get; set; } = 5;

    /// <summary>Gets or sets how long an operation type stays paused.</summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan PauseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets a redaction applied to every context value and to error messages and stack traces before
    /// anything reaches the store (for example, to mask card numbers).
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no redaction beyond <see cref="RedactSecrets"/>).</value>
    public Func<string, string>? Redact { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the built-in <see cref="SecretRedaction"/> runs before anything is stored:
    /// context entries whose key names a secret (<c>Authorization</c>, <c>Cookie</c>, <c>password</c>, <c>token</c>,
    /// <c>secret</c>, <c>api-key</c>, …) lose their value, and URL query strings, bearer tokens and <c>password=…</c>
    /// pairs are masked in context values, error messages and stack traces.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RedactSecrets { get; set; } = true;

    /// <summary>
    /// Gets or sets a redaction of the whole entry — payload, context keys and values, operation type, error — applied
    /// when it is added, after <see cref="RedactSecrets"/> and <see cref="Redact"/> and before the limits are checked
    /// and anything is written. Return the entry to store (its id must not change).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<DeadLetterEntry, DeadLetterEntry>? RedactEntry { get; set; }

    /// <summary>
    /// Gets or sets a rule that marks a handler's failure as permanent: the entry is exhausted at once with
    /// <see cref="DeadLetterFailureReason.NonRetryable"/> instead of being retried.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (every failure is retried until the attempts run out).</value>
    public Func<Exception, bool>? IsPermanentFailure { get; set; }

    /// <summary>Gets or sets a callback raised after an entry is durably added.</summary>
    public Func<DeadLetterEntry, ValueTask>? OnEnqueued { get; set; }

    /// <summary>Gets or sets a callback raised after an attempt succeeded and the entry is marked recovered.</summary>
    public Func<DeadLetterEntry, ValueTask>? OnRecovered { get; set; }

    /// <summary>Gets or sets a callback raised after an entry ran out of attempts (or failed permanently).</summary>
    public Func<DeadLetterEntry, ValueTask>? OnExhausted { get; set; }

    /// <summary>Gets or sets the queue's name: the <c>queue</c> tag of its gauges and a field of its log messages.</summary>
    /// <value>The default value is <c>"default"</c>.</value>
    public string Name { get; set; } = "default";

    /// <summary>
    /// Gets or sets where the queue and its processor log (enqueue, attempts, recovered, exhausted, paused types,
    /// types with no handler) under category <c>Resilience.DeadLetter</c>; nothing is logged when <see langword="null"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>; <c>AddDeadLetterQueue</c> sets the container's.</value>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the time source of timestamps, schedules and the processor's timer.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the source of jitter, a function returning values in [0, 1); tests pin it.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Func<double>? Randomizer { get; set; }
}
