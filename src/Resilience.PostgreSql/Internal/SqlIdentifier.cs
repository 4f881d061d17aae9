namespace Resilience.PostgreSql.Internal;

/// <summary>
/// Checks the names that become SQL identifiers. Only a safe, unquoted-compatible alphabet is accepted, so names are
/// never escaped and a table name cannot carry SQL.
/// </summary>
internal static class SqlIdentifier
{
    public static void Validate(string? name, int maxLength, string option)
    {
        if (string.IsNullOrEmpty(name) || name.Length > maxLength || !IsStart(name[0]) || !name.AsSpan(1).ContainsOnly(IsPart))
        {
            throw new ArgumentException(
                $"{option} '{name}' is not a valid name: use 1 to {maxLength} lower-case letters, digits or underscores, starting with a letter or an underscore.",
                option);
        }

        static bool IsStart(char c) => c is (>= 'a' and <= 'z') or '_';
    }

    private static bool IsPart(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_';

    private static bool ContainsOnly(this ReadOnlySpan<char> span, Func<char, bool> predicate)
    {
        foreach (var c in span)
        {
            if (!predicate(c))
            {
                return false;
            }
        }

        return true;
    }
}
