namespace Resilience.Compensation;

/// <summary>
/// Counters of a <see cref="CompensationManager"/> since it was created.
/// </summary>
/// <param name="TotalRegistered">Compensations registered.</param>
/// <param name="TotalExecuted">Compensations run (each step once, whatever its attempts).</param>
/// <param name="TotalSuccessful">Compensations that succeeded.</param>
/// <param name="TotalFailed">Compensations that failed after their attempts.</param>
/// <param name="PendingOperations">Operations with registered compensations, neither completed nor rolled back.</param>
public sealed record CompensationStatistics(long TotalRegistered, long TotalExecuted, long TotalSuccessful, long TotalFailed, long PendingOperations);
