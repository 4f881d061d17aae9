using Microsoft.Extensions.Configuration;

namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// The keys a settings section may hold, to report a typo (<c>Retyr</c>, <c>FailureRatoi</c>) with its full path
/// instead of ignoring it, as the binder does. Keys compare case-insensitively, as configuration does.
/// </summary>
internal sealed class SettingsKeys
{
    public static readonly SettingsKeys Retry = Leaves(
        nameof(RetrySettings.MaxRetryAttempts), nameof(RetrySettings.BackoffType), nameof(RetrySettings.BaseDelay),
        nameof(RetrySettings.MaxDelay), nameof(RetrySettings.Jitter), nameof(RetrySettings.MaxRetryDuration));

    public static readonly SettingsKeys CircuitBreaker = Leaves(
        nameof(CircuitBreakerSettings.ConsecutiveFailureThreshold), nameof(CircuitBreakerSettings.FailureRatio), nameof(CircuitBreakerSettings.MinimumThroughput),
        nameof(CircuitBreakerSettings.SamplingDuration), nameof(CircuitBreakerSettings.BreakDuration));

    public static readonly SettingsKeys Bulkhead = Leaves(
        nameof(BulkheadSettings.MaxConcurrency), nameof(BulkheadSettings.MaxQueueLength), nameof(BulkheadSettings.QueueTimeout));

    public static readonly SettingsKeys Pipeline = new(new Dictionary<string, SettingsKeys?>(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(ResiliencePipelineSettings.TotalTimeout)] = null,
        [nameof(ResiliencePipelineSettings.Retry)] = Retry,
        [nameof(ResiliencePipelineSettings.CircuitBreaker)] = CircuitBreaker,
        [nameof(ResiliencePipelineSettings.Bulkhead)] = Bulkhead,
        [nameof(ResiliencePipelineSettings.AttemptTimeout)] = null,
    });

    public static readonly SettingsKeys DeadLetterQueue = Leaves(
        nameof(DeadLetterQueueSettings.Name), nameof(DeadLetterQueueSettings.Directory), nameof(DeadLetterQueueSettings.Durability),
        nameof(DeadLetterQueueSettings.MaxPayloadBytes), nameof(DeadLetterQueueSettings.MaxEntries), nameof(DeadLetterQueueSettings.OverflowPolicy),
        nameof(DeadLetterQueueSettings.MaxAttempts), nameof(DeadLetterQueueSettings.RetryBaseDelay), nameof(DeadLetterQueueSettings.RetryMaxDelay),
        nameof(DeadLetterQueueSettings.MaxConcurrentAttempts), nameof(DeadLetterQueueSettings.Retention));

    private readonly Dictionary<string, SettingsKeys?> _keys;

    public SettingsKeys(Dictionary<string, SettingsKeys?> keys) => _keys = keys;

    /// <summary>Gets the keys, in declaration order, for messages.</summary>
    public IEnumerable<string> Names => _keys.Keys;

    public static SettingsKeys Leaves(params string[] names)
        => new(names.ToDictionary(static n => n, static _ => (SettingsKeys?)null, StringComparer.OrdinalIgnoreCase));

    /// <summary>Adds a failure, with its full path, for every key under <paramref name="section"/> (at any depth) that is not known.</summary>
    public void CheckUnder(IConfigurationSection section, List<string> failures)
    {
        foreach (var child in section.GetChildren())
        {
            if (!_keys.TryGetValue(child.Key, out var nested))
            {
                failures.Add($"{child.Path}: unknown key; expected one of {string.Join(", ", _keys.Keys)}.");
            }
            else
            {
                nested?.CheckUnder(child, failures);
            }
        }
    }
}
