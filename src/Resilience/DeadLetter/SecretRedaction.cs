using System.Text.RegularExpressions;

namespace Resilience.DeadLetter;

/// <summary>
/// The built-in redaction a dead letter queue applies before anything is stored (on unless
/// <see cref="DeadLetterQueueOptions.RedactSecrets"/> is turned off): context entries whose key names a secret lose
/// their value, and in every context value, error message and stack trace the query strings of URLs, bearer tokens
/// and <c>password=…</c>-style pairs are replaced with <see cref="Marker"/>. Payloads are left alone (a handler needs
/// them to run the operation again); redact them with <see cref="DeadLetterQueueOptions.RedactEntry"/>.
/// </summary>
public static partial class SecretRedaction
{
    /// <summary>What replaces a redacted value.</summary>
    public const string Marker = "[redacted]";

    private static readonly string[] SecretKeyParts =
    [
        "authorization", "cookie", "password", "passwd", "pwd", "token", "secret", "api-key", "apikey", "api_key",
        "credential", "private-key", "privatekey", "signature", "session",
    ];

    /// <summary>Gets a value indicating whether a context key or header name names a secret (case-insensitive).</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> for keys such as <c>Authorization</c>, <c>Cookie</c>, <c>x-api-key</c>, <c>refresh_token</c>.</returns>
    public static bool IsSecretKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (var part in SecretKeyParts)
        {
            if (key.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Replaces URL query strings, bearer tokens and secret-named <c>key=value</c> pairs in free text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text with those parts replaced by <see cref="Marker"/>.</returns>
    public static string RedactText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return text;
        }

        var redacted = UrlQuery().Replace(text, "$1?" + Marker);
        redacted = BearerToken().Replace(redacted, "$1 " + Marker);
        return SecretPair().Replace(redacted, "$1$2" + Marker);
    }

    [GeneratedRegex(@"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#""'<>]+)\?[^\s#""'<>]*", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlQuery();

    [GeneratedRegex(@"\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex BearerToken();

    [GeneratedRegex(@"\b((?:password|passwd|pwd|token|secret|api[-_]?key|access[-_]?key|client[-_]?secret)[A-Za-z_-]*)(\s*[=:]\s*)[^\s&;,""']+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SecretPair();
}
