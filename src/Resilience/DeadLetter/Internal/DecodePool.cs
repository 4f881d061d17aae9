namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Shares equal strings and errors among the entries one store decodes at open: dead letters repeat (one outage,
/// thousands of identical errors), so one instance each is enough. Owned by the store, bounded, and used by the one
/// thread that replays the log — no process-wide cache, no locks.
/// </summary>
internal sealed class DecodePool
{
    private const int MaxItems = 16_384;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<DeadLetterError, DeadLetterError> _errors = [];

    /// <summary>Shares a string read as UTF-8 without allocating it when an equal one is pooled.</summary>
    public string Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= 256)
        {
            Span<char> chars = stackalloc char[256];
            if (System.Text.Encoding.UTF8.TryGetChars(utf8, chars, out var written)
                && _strings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..written], out var shared))
            {
                return shared;
            }
        }

        return Intern(System.Text.Encoding.UTF8.GetString(utf8));
    }

    public string Intern(string value)
    {
        if (value.Length > 256)
        {
            return value;
        }

        if (_strings.TryGetValue(value, out var shared))
        {
            return shared;
        }

        if (_strings.Count < MaxItems)
        {
            _strings[value] = value;
        }

        return value;
    }

    public DeadLetterError Share(DeadLetterError error)
    {
        if (_errors.TryGetValue(error, out var shared))
        {
            return shared;
        }

        if (_errors.Count < MaxItems)
        {
            _errors[error] = error;
        }

        return error;
    }

    /// <summary>Drops what was pooled once the open is done: later entries come from callers, not from decoding.</summary>
    public void Clear()
    {
        _strings.Clear();
        _strings.TrimExcess();
        _errors.Clear();
        _errors.TrimExcess();
    }
}
