namespace Resilience.DeadLetter;

/// <summary>
/// One page of a query's results.
/// </summary>
/// <param name="Entries">The entries on this page, oldest first.</param>
/// <param name="TotalMatches">How many entries match the query in all.</param>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetterEntry> Entries, int TotalMatches)
{
    /// <summary>
    /// Gets the ids of entries that belong on this page but whose records on disk no longer verify, so they are not
    /// in <see cref="Entries"/>: each is still in the store (and counted in <see cref="TotalMatches"/>) until it is
    /// deleted by id. Empty unless the store found damage while reading the page.
    /// </summary>
    public IReadOnlyList<string> DamagedIds { get; init; } = [];
}
