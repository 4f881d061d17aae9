namespace Resilience.Batch;

internal static class BatchConstants
{
    public const int DefaultMaxDegreeOfParallelism = 1;

    public const int MaxDegreeOfParallelism = 1024;
}
