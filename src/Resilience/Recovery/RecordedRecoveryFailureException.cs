namespace Resilience.Recovery;

/// <summary>
/// A failure of a run or step read back from a persisted <see cref="RecoveryHistory"/>: the exception object did not
/// survive the restart, its type name and message did.
/// </summary>
public sealed class RecordedRecoveryFailureException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="RecordedRecoveryFailureException"/> class.</summary>
    public RecordedRecoveryFailureException()
        : this("(unknown)", "The failure was recorded without a message.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RecordedRecoveryFailureException"/> class.</summary>
    /// <param name="message">The original message.</param>
    public RecordedRecoveryFailureException(string message)
        : this("(unknown)", message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RecordedRecoveryFailureException"/> class.</summary>
    /// <param name="message">The original message.</param>
    /// <param name="innerException">Unused by the history; kept for the standard exception shape.</param>
    public RecordedRecoveryFailureException(string message, Exception? innerException)
        : base(message, innerException)
    {
        OriginalType = "(unknown)";
    }

    /// <summary>Initializes a new instance of the <see cref="RecordedRecoveryFailureException"/> class.</summary>
    /// <param name="originalType">The full name of the original exception's type.</param>
    /// <param name="message">The original message.</param>
    public RecordedRecoveryFailureException(string originalType, string message)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(originalType);
        OriginalType = originalType;
    }

    /// <summary>Gets the full name of the original exception's type.</summary>
    public string OriginalType { get; }
}
