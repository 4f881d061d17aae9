namespace Resilience.DeadLetter;

/// <summary>
/// What opening a store does with a corrupt record that is not part of a torn tail.
/// </summary>
public enum CorruptionHandling
{
    /// <summary>Refuse to open with a <see cref="DeadLetterStoreCorruptedException"/> naming the file and offset.</summary>
    Strict = 0,

    /// <summary>Move the damaged remainder of the segment to a <c>.corrupt</c> file, report it, and open with the rest.</summary>
    Lenient = 1,
}
