using System.Security.Cryptography;
using System.Text;

namespace Resilience.DeadLetter;

/// <summary>
/// The default <see cref="IDeadLetterFingerprinter"/>: a hash of the exception type and the first stack frame from
/// application code, that is, the first frame whose method is not in an ignored namespace.
/// </summary>
/// <remarks>
/// Only the method of the frame counts, not its file and line, so a rebuild that moves code does not split a group.
/// A failure without an application frame is grouped by its exception type alone.
/// </remarks>
public sealed class DeadLetterFingerprinter : IDeadLetterFingerprinter
{
    private readonly string[] _ignoredPrefixes;

    /// <summary>
    /// Initializes a new instance of the <see cref="DeadLetterFingerprinter"/> class.
    /// </summary>
    /// <param name="ignoredNamespacePrefixes">
    /// Frames whose method starts with one of these are framework code and skipped; <see langword="null"/> takes
    /// <see cref="DefaultIgnoredNamespacePrefixes"/>.
    /// </param>
    public DeadLetterFingerprinter(IEnumerable<string>? ignoredNamespacePrefixes = null)
    {
        _ignoredPrefixes = [.. ignoredNamespacePrefixes ?? DefaultIgnoredNamespacePrefixes];
    }

    /// <summary>Gets the namespaces skipped by default: <c>System.</c>, <c>Microsoft.</c> and <c>Resilience.</c>.</summary>
    public static IReadOnlyList<string> DefaultIgnoredNamespacePrefixes { get; } = ["System.", "Microsoft.", "Resilience."];

    /// <summary>Gets the fingerprinter with the default ignored namespaces.</summary>
    public static DeadLetterFingerprinter Default { get; } = new();

    /// <inheritdoc/>
    public string Compute(string operationType, DeadLetterError failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var frame = FirstApplicationFrame(failure.StackTrace);
        var text = frame is null ? failure.Type : failure.Type + "\n" + frame;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);

        // 64 bits: short enough to show and put in a URL, far more than the number of distinct failures a queue sees.
        return Convert.ToHexStringLower(hash[..8]);
    }

    /// <summary>Gets the method of the first frame not in an ignored namespace, without its file and line.</summary>
    internal string? FirstApplicationFrame(string? stackTrace)
    {
        if (string.IsNullOrEmpty(stackTrace))
        {
            return null;
        }

        foreach (var rawLine in stackTrace.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (!line.StartsWith("at ", StringComparison.Ordinal))
            {
                continue;
            }

            var method = line[3..];
            var fileAt = method.IndexOf(" in ", StringComparison.Ordinal);
            if (fileAt >= 0)
            {
                method = method[..fileAt];
            }

            if (!IsIgnored(method))
            {
                return method.ToString();
            }
        }

        return null;
    }

    private bool IsIgnored(ReadOnlySpan<char> method)
    {
        foreach (var prefix in _ignoredPrefixes)
        {
            if (method.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
