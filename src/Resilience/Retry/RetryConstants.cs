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
}
