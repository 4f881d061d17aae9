namespace Resilience.Telemetry;

/// <summary>
/// An event a component reports and the counter that counts it, declared by the component itself (in its constants)
/// and handed to its <see cref="ResilienceTelemetry"/>: telemetry knows no component's events in advance.
/// </summary>
/// <param name="Name">The event's name, as passed to <see cref="ResilienceTelemetry.Report"/> (<c>OnRetry</c>).</param>
/// <param name="CounterName">The counter of the event's family (<c>resilience.retry.retries</c>); events may share one.</param>
/// <param name="Unit">The counter's unit (<c>{retry}</c>).</param>
/// <param name="Description">The counter's description.</param>
/// <param name="LoggedInDetail">The component logs the event itself with its details (a retry's number, delay and error), so the generic message is not written too.</param>
internal sealed record TelemetryEvent(string Name, string CounterName, string Unit, string Description, bool LoggedInDetail = false);
