using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Resilience.Compensation;
using Resilience.Internal;
using Resilience.Recovery.Internal;
using Resilience.Retry;

namespace Resilience.Recovery;

/// <summary>
/// Builds a <see cref="RecoveryWorkflow"/>: its steps in order, and where it reports, keeps history and compensates.
/// </summary>
public sealed class RecoveryWorkflowBuilder
{
    private readonly List<(string Name, Func<RecoveryStepContext, ValueTask> Action, RecoveryStepOptions Options)> _steps = [];

    /// <summary>
    /// Initializes a new instance of the <see cref="RecoveryWorkflowBuilder"/> class.
    /// </summary>
    /// <param name="name">The workflow's name (for example <c>api-failure</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    public RecoveryWorkflowBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>Gets the workflow's name.</summary>
    public string Name { get; }

    /// <summary>Gets or sets the kind of failure the workflow handles, for people and dashboards.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? FailureKind { get; set; }

    /// <summary>Gets or sets the time source of runs, step timeouts, retries and policies.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets where runs and steps are logged (category <c>Resilience.Recovery</c>); steps get this logger too.</summary>
    /// <value>The default value is <see langword="null"/> (no logging).</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the meter factory the instruments come from.</summary>
    /// <value>The default value is <see langword="null"/>: the process-wide meter named <c>Resilience</c>.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>Gets or sets the history finished runs go to; share one between workflows to see them together.</summary>
    /// <value>The default value is <see langword="null"/>: a history of the workflow's own, <see cref="HistoryCapacity"/> runs long.</value>
    public RecoveryHistory? History { get; set; }

    /// <summary>Gets or sets how many runs the workflow's own history keeps (ignored when <see cref="History"/> is set).</summary>
    /// <value>The default value is 100. It must be between 1 and 100,000.</value>
    public int HistoryCapacity { get; set; } = RecoveryHistory.DefaultCapacityPerWorkflow;

    /// <summary>Gets or sets the compensation manager that undoes completed steps (in-memory scopes).</summary>
    /// <value>The default value is <see langword="null"/>: a manager of the workflow's own with the default options and <see cref="TimeProvider"/>.</value>
    public CompensationManager? CompensationManager { get; set; }

    /// <summary>Gets or sets when automatic runs may start again (see <see cref="RecoveryRunPolicy"/>).</summary>
    /// <value>The default value is <see langword="null"/>: whenever no run is in progress.</value>
    public RecoveryRunPolicy? RunPolicy { get; set; }

    /// <summary>Sets <see cref="FailureKind"/>.</summary>
    /// <param name="failureKind">The kind of failure the workflow handles.</param>
    /// <returns>This builder.</returns>
    public RecoveryWorkflowBuilder Handles(string failureKind)
    {
        ArgumentException.ThrowIfNullOrEmpty(failureKind);
        FailureKind = failureKind;
        return this;
    }

    /// <summary>Sets <see cref="RunPolicy"/>.</summary>
    /// <param name="policy">When automatic runs may start again.</param>
    /// <returns>This builder.</returns>
    public RecoveryWorkflowBuilder RunAgain(RecoveryRunPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        RunPolicy = policy;
        return this;
    }

    /// <summary>Adds a step; steps run in the order they are added.</summary>
    /// <param name="name">The step's name, unique in the workflow.</param>
    /// <param name="action">What the step does; it should honour <see cref="RecoveryStepContext.CancellationToken"/>.</param>
    /// <param name="configure">Sets the step's options (optional, timeout, retry, compensation).</param>
    /// <returns>This builder.</returns>
    public RecoveryWorkflowBuilder Step(string name, Func<RecoveryStepContext, ValueTask> action, Action<RecoveryStepOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(action);
        var options = new RecoveryStepOptions();
        configure?.Invoke(options);
        _steps.Add((name, action, options));
        return this;
    }

    /// <summary>Adds an optional step: its failure is recorded and the run goes on.</summary>
    /// <param name="name">The step's name, unique in the workflow.</param>
    /// <param name="action">What the step does.</param>
    /// <param name="configure">Sets the step's other options.</param>
    /// <returns>This builder.</returns>
    public RecoveryWorkflowBuilder OptionalStep(string name, Func<RecoveryStepContext, ValueTask> action, Action<RecoveryStepOptions>? configure = null)
        => Step(name, action, options =>
        {
            options.Optional = true;
            configure?.Invoke(options);
        });

    /// <summary>Builds the workflow, validating every option.</summary>
    /// <returns>The workflow.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names the workflow, the step and the option.</exception>
    public RecoveryWorkflow Build()
    {
        OptionGuard.NotNull(TimeProvider, $"RecoveryWorkflow '{Name}': TimeProvider");
        if (_steps.Count == 0)
        {
            throw new ArgumentException($"Recovery workflow '{Name}' has no step; add one with Step(...).", nameof(_steps));
        }

        var history = History ?? new RecoveryHistory(Validated(HistoryCapacity));
        var steps = new RecoveryStep[_steps.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < steps.Length; i++)
        {
            var (name, action, options) = _steps[i];
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"Recovery workflow '{Name}': the name of step {i} must not be empty.", "name");
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"Recovery workflow '{Name}': two steps are named '{name}'; step names must be unique.", "name");
            }

            steps[i] = new RecoveryStep(name, action, options.Optional, options.Pipeline ?? BuildPipeline(name, options), options.Compensation);
        }

        var logger = LoggerFactory?.CreateLogger(RecoveryLog.Category) ?? NullLogger.Instance;
        var compensations = CompensationManager ?? new CompensationManager(new CompensationOptions { TimeProvider = TimeProvider });
        return new RecoveryWorkflow(Name, FailureKind, steps, TimeProvider, logger, RunPolicy, history, compensations, RecoveryInstruments.For(MeterFactory));
    }

    private int Validated(int capacity)
    {
        OptionGuard.InRange(capacity, 1, 100_000, $"RecoveryWorkflowBuilder.HistoryCapacity (workflow '{Name}')");
        return capacity;
    }

    private ResiliencePipeline BuildPipeline(string step, RecoveryStepOptions options)
    {
        var where = $" (workflow '{Name}', step '{step}')";
        OptionGuard.InRange(options.MaxAttempts, 1, 100, "RecoveryStepOptions.MaxAttempts" + where);
        if (options.Timeout is { } timeout)
        {
            OptionGuard.Positive(timeout, "RecoveryStepOptions.Timeout" + where);
            OptionGuard.AtMostMaxDuration(timeout, "RecoveryStepOptions.Timeout" + where);
        }

        if (options.MaxAttempts == 1 && options.Timeout is null)
        {
            return ResiliencePipeline.Empty;
        }

        var builder = new ResiliencePipelineBuilder { Name = $"recovery/{Name}/{step}", TimeProvider = TimeProvider, LoggerFactory = LoggerFactory, MeterFactory = MeterFactory };
        if (options.MaxAttempts > 1)
        {
            OptionGuard.Positive(options.RetryDelay, "RecoveryStepOptions.RetryDelay" + where);
            OptionGuard.Positive(options.MaxRetryDelay, "RecoveryStepOptions.MaxRetryDelay" + where);
            OptionGuard.AtMostMaxDuration(options.MaxRetryDelay, "RecoveryStepOptions.MaxRetryDelay" + where);
            if (options.MaxRetryDelay < options.RetryDelay)
            {
                throw OptionGuard.OutOfRange("RecoveryStepOptions.MaxRetryDelay" + where, options.MaxRetryDelay, $"must not be shorter than RetryDelay ({options.RetryDelay})");
            }

            if (options.RetryBackoff == BackoffType.DecorrelatedJitter || !Enum.IsDefined(options.RetryBackoff))
            {
                throw OptionGuard.OutOfRange("RecoveryStepOptions.RetryBackoff" + where, options.RetryBackoff, "must be Constant, Linear, Exponential or Fibonacci");
            }

            // Outermost, so each attempt gets the whole timeout; the run's cancellation is never retried (the retry
            // strategy's rule), every other failure is: a recovery step is worth another try whatever failed.
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = options.RetryBackoff,
                BaseDelay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                Jitter = JitterMode.None,
                ShouldHandle = static outcome => outcome.Exception is not null,
            });
        }

        if (options.Timeout is { } perAttempt)
        {
            builder.AddTimeout(perAttempt);
        }

        return builder.Build();
    }
}
