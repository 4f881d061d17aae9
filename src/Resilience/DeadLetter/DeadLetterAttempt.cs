namespace Resilience.DeadLetter;

/// <summary>
/// What a handler learns about the attempt it is running.
/// </summary>
/// <param name="Entry">The entry being retried.</param>
/// <param name="AttemptNumber">The number of this attempt, from 1.</param>
public sealed record DeadLetterAttempt(DeadLetterEntry Entry, int AttemptNumber)
{
    /// <summary>Gets a key that is the same for every attempt of this entry, for idempotent handlers.</summary>
    public string IdempotencyKey => Entry.Id;
}
