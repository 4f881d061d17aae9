using Resilience.DeadLetter;

namespace Resilience.Compensation;

/// <summary>
/// Options of a <see cref="CompensationManager"/>.
/// </summary>
public sealed class CompensationOptions
{
    /// <summary>
    /// The largest serialized state of one named compensation, in bytes (16 MiB):
    /// <see cref="CompensationScope.RegisterAsync{TState}"/> refuses a larger one with an <see cref="ArgumentException"/>
    /// before anything is registered or written. A fixed bound of the journal format, not a setting, so a journal
    /// written today is readable whatever tomorrow's configuration says.
    /// </summary>
    public const int MaxStateBytes = 16 * 1024 * 1024;

    /// <summary>Gets or sets what a rollback does when a compensation keeps failing.</summary>
    /// <value>The default value is <see cref="CompensationFailurePolicy.ContinueOnError"/>.</value>
    public CompensationFailurePolicy FailurePolicy { get; set; } = CompensationFailurePolicy.ContinueOnError;

    /// <summary>Gets or sets how many times a compensation is attempted (first attempt included).</summary>
    /// <value>The default value is 3. It must be at least 1.</value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the base delay of the jittered exponential backoff between attempts.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest delay between attempts.</summary>
    /// <value>The default value is 2 seconds.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets how long one attempt of a compensation may run. Compensations get their own token (cancelled by this
    /// timeout), never the token of the operation being rolled back, which is usually already cancelled.
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> sets no step timeout: compensations then get
    /// <see cref="CancellationToken.None"/>, and a step costs no token source.
    /// </summary>
    /// <value>The default value is 30 seconds. It must be greater than zero, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>.</value>
    public TimeSpan StepTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the queue that receives parked rollbacks (<see cref="CompensationFailurePolicy.StopAndPark"/>).</summary>
    public DeadLetterQueue? DeadLetterQueue { get; set; }

    /// <summary>
    /// Gets or sets the directory of the durable journal. When set, compensations registered by name
    /// (<see cref="CompensationScope.RegisterAsync{TState}"/>) are journaled before the forward step runs, and
    /// <see cref="CompensationManager.RecoverAsync"/> resumes the operations a crash interrupted.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (in memory only).</value>
    public string? JournalDirectory { get; set; }

    /// <summary>
    /// Gets or sets a factory of another journal than the file one (for example a database shared by several instances,
    /// <c>UsePostgreSql</c>); the manager calls it once, owns the journal and disposes it. Set this or
    /// <see cref="JournalDirectory"/>, not both.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<CompensationOptions, ICompensationJournal>? JournalFactory { get; set; }

    /// <summary>Gets or sets how the journal writes (durability, segment size, compaction, corruption handling).</summary>
    /// <value>The default value is a <see cref="CompensationJournalOptions"/> with its defaults.</value>
    public CompensationJournalOptions Journal { get; set; } = new();

    /// <summary>Gets or sets what recovery does with interrupted operations.</summary>
    /// <value>The default value is <see cref="CompensationRecoveryPolicy.Compensate"/>.</value>
    public CompensationRecoveryPolicy RecoveryPolicy { get; set; } = CompensationRecoveryPolicy.Compensate;

    /// <summary>Gets or sets the time source of timeouts and backoff.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
