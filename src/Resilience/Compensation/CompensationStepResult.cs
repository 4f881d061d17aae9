namespace Resilience.Compensation;

/// <summary>
/// How one compensation step ended.
/// </summary>
/// <param name="Index">The step's registration index (0 = registered first, so compensated last).</param>
/// <param name="Succeeded">Whether the compensation succeeded (within its attempts).</param>
/// <param name="Exception">The last failure, when it did not succeed.</param>
public sealed record CompensationStepResult(int Index, bool Succeeded, Exception? Exception);
