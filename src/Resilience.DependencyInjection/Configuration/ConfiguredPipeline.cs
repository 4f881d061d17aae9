using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Resilience.Bulkhead;
using Resilience.CircuitBreaker;
using Resilience.Internal;
using Resilience.Retry;

namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// Builds a pipeline's strategies from settings, again on every configuration change, keeping the circuit breaker and
/// the bulkhead (their state and counters) across rebuilds as long as their own settings do not change.
/// </summary>
internal sealed class ConfiguredPipeline
{
    private readonly Lock _lock = new();
    private readonly string _name;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly IMeterFactory? _meterFactory;
    private readonly CircuitBreakerRegistry? _registry;
    private readonly ConfiguredOutcomeRules? _rules;
    private (string Key, SharedCircuitBreaker Breaker)? _breaker;
    private (string Key, SharedBulkhead Bulkhead)? _bulkhead;

    public ConfiguredPipeline(string name, TimeProvider time, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, CircuitBreakerRegistry? registry = null, ConfiguredOutcomeRules? rules = null)
    {
        _rules = rules;
        _registry = registry;
        _name = name;
        _time = time;
        _loggerFactory = loggerFactory;
        _meterFactory = meterFactory;
    }

    public StrategyChain? Build(ResiliencePipelineSettings settings)
    {
        lock (_lock)
        {
            var builder = new ResiliencePipelineBuilder { Name = _name, TimeProvider = _time, LoggerFactory = _loggerFactory, MeterFactory = _meterFactory };
            if (settings.TotalTimeout is { } total)
            {
                builder.AddTimeout(total);
            }

            if (settings.Retry is { } retry)
            {
                var options = ToOptions(retry);
                options.ShouldHandle = _rules?.Retry ?? options.ShouldHandle;
                builder.AddRetry(options);
            }

            if (settings.CircuitBreaker is { } breaker)
            {
                var key = Describe(breaker.ConsecutiveFailureThreshold, breaker.FailureRatio, breaker.MinimumThroughput, breaker.SamplingDuration, breaker.BreakDuration);
                if (_breaker?.Key != key)
                {
                    var options = ToOptions(breaker);
                    options.ShouldHandle = _rules?.CircuitBreaker ?? options.ShouldHandle;
                    _breaker = (key, new SharedCircuitBreaker(_name, options, _time, _loggerFactory, _meterFactory, pipelineName: _name));

                    // Listed where health checks and dashboards look.
                    _registry?.Set(_breaker.Value.Breaker);
                }

                builder.AddCircuitBreaker(_breaker.Value.Breaker);
            }

            if (settings.Bulkhead is { } bulkhead)
            {
                var key = Describe(bulkhead.MaxConcurrency, bulkhead.MaxQueueLength, bulkhead.QueueTimeout);
                if (_bulkhead?.Key != key)
                {
                    _bulkhead = (key, new SharedBulkhead(_name, ToOptions(bulkhead), _time));
                }

                builder.AddBulkhead(_bulkhead.Value.Bulkhead);
            }

            if (settings.AttemptTimeout is { } attempt)
            {
                builder.AddTimeout(attempt);
            }

            return builder.BuildChain();
        }
    }

    private static RetryStrategyOptions ToOptions(RetrySettings settings)
    {
        var options = new RetryStrategyOptions();
        options.MaxRetryAttempts = settings.MaxRetryAttempts ?? options.MaxRetryAttempts;
        options.BackoffType = settings.BackoffType ?? options.BackoffType;
        options.BaseDelay = settings.BaseDelay ?? options.BaseDelay;
        options.MaxDelay = settings.MaxDelay ?? options.MaxDelay;
        options.Jitter = settings.Jitter ?? options.Jitter;
        options.MaxRetryDuration = settings.MaxRetryDuration ?? options.MaxRetryDuration;
        return options;
    }

    private static CircuitBreakerStrategyOptions ToOptions(CircuitBreakerSettings settings)
    {
        var options = new CircuitBreakerStrategyOptions { ConsecutiveFailureThreshold = settings.ConsecutiveFailureThreshold };
        options.FailureRatio = settings.FailureRatio ?? options.FailureRatio;
        options.MinimumThroughput = settings.MinimumThroughput ?? options.MinimumThroughput;
        options.SamplingDuration = settings.SamplingDuration ?? options.SamplingDuration;
        options.BreakDuration = settings.BreakDuration ?? options.BreakDuration;
        return options;
    }

    private static BulkheadStrategyOptions ToOptions(BulkheadSettings settings)
    {
        var options = new BulkheadStrategyOptions();
        options.MaxConcurrency = settings.MaxConcurrency ?? options.MaxConcurrency;
        options.MaxQueueLength = settings.MaxQueueLength ?? options.MaxQueueLength;
        options.QueueTimeout = settings.QueueTimeout ?? options.QueueTimeout;
        return options;
    }

    private static string Describe(params object?[] values) => string.Join('|', values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
}
