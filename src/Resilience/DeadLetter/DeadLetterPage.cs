namespace Resilience.DeadLetter;

/// <summary>
/// One page of a query's results.
/// </summary>
/// <param name="Entries">The entries on this page, oldest first.</param>
/// <param name="TotalMatches">How many entries match the query in all.</param>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetterEntry> Entries, int TotalMatches);
