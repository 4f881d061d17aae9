namespace Resilience.Compensation;

/// <summary>A named step as a <see cref="ICompensationJournal"/> stores it: the handler's name and its serialized state.</summary>
public sealed class CompensationJournalStep
{
    /// <summary>Initializes a new instance of the <see cref="CompensationJournalStep"/> class.</summary>
    /// <param name="handlerName">The handler's name.</param>
    /// <param name="state">The serialized state.</param>
    public CompensationJournalStep(string handlerName, ReadOnlyMemory<byte> state)
    {
        ArgumentException.ThrowIfNullOrEmpty(handlerName);
        HandlerName = handlerName;
        State = state;
    }

    /// <summary>Gets the name of the handler that compensates the step.</summary>
    public string HandlerName { get; }

    /// <summary>Gets the handler's serialized state.</summary>
    public ReadOnlyMemory<byte> State { get; }
}
