using Resilience.Retry;

namespace Resilience.Recovery;

/// <summary>
/// How one recovery step runs: whether its failure stops the run, its timeout and retry, and how it is undone.
/// </summary>
public sealed class RecoveryStepOptions
{
    /// <summary>Gets or sets a value indicating whether the step's failure is recorded and the run goes on.</summary>
    /// <value>The default value is <see langword="false"/>: a failure stops the run and compensates the completed steps.</value>
    public bool Optional { get; set; }

    /// <summary>Gets or sets how long one attempt may run before it fails with a timeout.</summary>
    /// <value>The default value is <see langword="null"/> (no timeout). When set, it must be greater than zero and at most 1 day.</value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets how many times the step is attempted, the first included; any failure but the run's cancellation is retried.</summary>
    /// <value>The default value is 1 (no retry). It must be between 1 and 100.</value>
    public int MaxAttempts { get; set; } = 1;

    /// <summary>Gets or sets the delay before the first retry; later ones grow by <see cref="RetryBackoff"/>.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how the delay between retries grows.</summary>
    /// <value>The default value is <see cref="BackoffType.Exponential"/>.</value>
    public BackoffType RetryBackoff { get; set; } = BackoffType.Exponential;

    /// <summary>Gets or sets the longest delay between retries.</summary>
    /// <value>The default value is 30 seconds. It must be at least <see cref="RetryDelay"/> and at most 1 day.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets a pipeline to run the step through instead of the one built from <see cref="Timeout"/> and the retry
    /// options (which are then ignored), for example one from the DI container.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ResiliencePipeline? Pipeline { get; set; }

    /// <summary>
    /// Gets or sets what undoes the step once it completed, when a later required step fails or the run is cancelled;
    /// compensations run last completed first, through the workflow's <see cref="Compensation.CompensationManager"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (nothing to undo).</value>
    public Func<RecoveryStepContext, ValueTask>? Compensation { get; set; }
}
