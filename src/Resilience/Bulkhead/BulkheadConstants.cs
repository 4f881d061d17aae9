namespace Resilience.Bulkhead;

internal static class BulkheadConstants
{
    public const string DefaultName = "Bulkhead";
    public const string OnRejectedEvent = "OnBulkheadRejected";
}
