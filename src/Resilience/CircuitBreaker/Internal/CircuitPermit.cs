namespace Resilience.CircuitBreaker.Internal;

/// <summary>
/// Admission to a call, tagged with the state generation it was admitted in: a result that arrives after the state
/// changed is dropped instead of counting in the new state's window.
/// </summary>
internal readonly record struct CircuitPermit(long Generation, bool IsProbe);
