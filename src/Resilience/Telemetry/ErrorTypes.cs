using System.Globalization;

namespace Resilience.Telemetry;

/// <summary>
/// The <c>error.type</c> of a failed attempt: the exception's type, or for a result the strategy handled (a failure
/// that is not an exception) the HTTP status code (<c>503</c>) or the result's type.
/// </summary>
internal static class ErrorTypes
{
    public static string? Of<T>(in Outcome<T> outcome, bool handled)
        => outcome.Exception is { } exception ? exception.GetType().FullName
            : handled ? OfResult(outcome.Result)
            : null;

    private static string OfResult(object? result) => result switch
    {
        HttpResponseMessage response => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture),
        null => "null",
        _ => result.GetType().FullName ?? "result",
    };
}
