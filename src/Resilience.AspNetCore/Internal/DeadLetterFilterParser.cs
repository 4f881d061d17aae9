using System.Globalization;
using Microsoft.AspNetCore.Http;
using Resilience.DeadLetter;

namespace Resilience.AspNetCore.Internal;

/// <summary>
/// Reads a dead letter filter from the query string. Every value is checked and a bad one is named, so a malformed
/// filter is a 400 and never silently matches more (or fewer) entries than the operator wrote.
/// </summary>
internal static class DeadLetterFilterParser
{
    private static readonly HashSet<string> FilterKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "status", "operationType", "failureGroup", "errorType", "message", "messageContains", "createdFrom", "createdTo",
        "includeArchived", "skip", "take",
    };

    /// <summary>Parses the filter; <paramref name="endpointKeys"/> are the other keys the endpoint reads itself.</summary>
    public static bool TryParse(IQueryCollection query, int maxPageSize, IReadOnlyCollection<string> endpointKeys, out DeadLetterQuery filter, out string error)
    {
        filter = new DeadLetterQuery();
        error = string.Empty;
        foreach (var key in query.Keys)
        {
            if (!FilterKeys.Contains(key) && !endpointKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                error = $"Unknown filter '{key}'.";
                return false;
            }
        }

        DeadLetterStatus? status = null;
        if (Text(query, "status") is { } statusText)
        {
            if (!Enum.TryParse<DeadLetterStatus>(statusText, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(statusText, out _))
            {
                error = $"Unknown status '{statusText}'; expected one of {string.Join(", ", Enum.GetNames<DeadLetterStatus>())}.";
                return false;
            }

            status = parsed;
        }

        if (!TryTime(query, "createdFrom", out var from, ref error) || !TryTime(query, "createdTo", out var to, ref error)
            || !TryInt(query, "skip", 0, int.MaxValue, 0, out var skip, ref error)
            || !TryInt(query, "take", 1, maxPageSize, Math.Min(100, maxPageSize), out var take, ref error)
            || !TryBool(query, "includeArchived", out var includeArchived, ref error))
        {
            return false;
        }

        if (from is not null && to is not null && from >= to)
        {
            error = "createdFrom must be before createdTo.";
            return false;
        }

        var group = Text(query, "failureGroup");
        if (group is not null && (group.Length != 16 || !group.All(char.IsAsciiHexDigitLower)))
        {
            error = $"failureGroup '{group}' is not a failure group (16 lowercase hex digits).";
            return false;
        }

        filter = new DeadLetterQuery
        {
            Status = status,
            OperationType = Text(query, "operationType"),
            FailureGroup = group,
            ErrorType = Text(query, "errorType"),
            ErrorMessage = Text(query, "message"),
            ErrorMessageContains = Text(query, "messageContains"),
            CreatedFrom = from,
            CreatedTo = to,
            IncludeArchived = includeArchived,
            Skip = skip,
            Take = take,
        };
        return true;
    }

    public static bool TryBool(IQueryCollection query, string name, out bool value, ref string error)
    {
        value = false;
        if (Text(query, name) is not { } text)
        {
            return true;
        }

        if (!bool.TryParse(text, out value))
        {
            error = $"{name} must be true or false, not '{text}'.";
            return false;
        }

        return true;
    }

    public static bool TryInt(IQueryCollection query, string name, int min, int max, int fallback, out int value, ref string error)
    {
        value = fallback;
        if (Text(query, name) is not { } text)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            error = $"{name} must be a whole number from {min} to {max}, not '{text}'.";
            return false;
        }

        return true;
    }

    public static bool TryLong(IQueryCollection query, string name, out long? value, ref string error)
    {
        value = null;
        if (Text(query, name) is not { } text)
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
        {
            error = $"{name} must be a positive whole number, not '{text}'.";
            return false;
        }

        value = parsed;
        return true;
    }

    public static string? Text(IQueryCollection query, string name)
        => query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[^1]) ? values[^1] : null;

    private static bool TryTime(IQueryCollection query, string name, out DateTimeOffset? value, ref string error)
    {
        value = null;
        if (Text(query, name) is not { } text)
        {
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            error = $"{name} must be an ISO 8601 time, not '{text}'.";
            return false;
        }

        value = parsed;
        return true;
    }
}
