namespace Resilience.DeadLetter;

/// <summary>
/// Computes an entry's failure group: entries whose failures share a fingerprint failed the same way, so an operator
/// can see, replay or discard them together.
/// </summary>
public interface IDeadLetterFingerprinter
{
    /// <summary>
    /// Computes the fingerprint of a failure. Called when an entry is added and after each failed attempt, with the
    /// error as it will be stored (after redaction).
    /// </summary>
    /// <param name="operationType">The entry's operation type.</param>
    /// <param name="failure">The failure.</param>
    /// <returns>A short, stable text: the same for failures an operator would treat as one.</returns>
    string Compute(string operationType, DeadLetterError failure);
}
