using Resilience.Telemetry;

namespace Resilience.Retry;

internal static class RetryConstants
{
    public const string DefaultName = "Retry";
    public const string OnRetryEvent = "OnRetry";
    public const string OnRetriesExhaustedEvent = "OnRetriesExhausted";
    public const string OnBudgetExhaustedEvent = "OnRetryBudgetExhausted";
    public const int DefaultMaxRetryAttempts = 3;
    public const double DefaultJitterRange = 0.2;

    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(30);

    // The counters of the retry's events, declared here so telemetry need not know them.
    public static readonly TelemetryEvent[] Events =
    [
        new(OnRetryEvent, "resilience.retry.retries", "{retry}", "Retries scheduled.", LoggedInDetail: true),
        new(OnRetriesExhaustedEvent, "resilience.retry.exhausted", "{call}", "Calls returned after their last retry."),
        new(OnBudgetExhaustedEvent, "resilience.retry.budget_denied", "{retry}", "Retries refused by a retry budget."),
    ];
}
