namespace Resilience;

/// <summary>
/// A typed key of a <see cref="ResilienceContext.Properties"/> entry (Polly's <c>ResiliencePropertyKey&lt;TValue&gt;</c>):
/// <c>context.Properties.Set(key, value)</c> and <c>context.Properties.TryGetValue(key, out var value)</c> read and
/// write the entry named <see cref="Key"/>, so typed and string-keyed code see the same entries.
/// </summary>
/// <typeparam name="TValue">The type of the value stored under the key.</typeparam>
public readonly struct ResiliencePropertyKey<TValue> : IEquatable<ResiliencePropertyKey<TValue>>
{
    /// <summary>Initializes a new instance of the <see cref="ResiliencePropertyKey{TValue}"/> struct.</summary>
    /// <param name="key">The name of the entry.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    public ResiliencePropertyKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
    }

    /// <summary>Gets the name of the entry.</summary>
    public string Key { get; }

    /// <summary>Compares two keys by name.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns>Whether the names are equal (ordinal).</returns>
    public static bool operator ==(ResiliencePropertyKey<TValue> left, ResiliencePropertyKey<TValue> right) => left.Equals(right);

    /// <summary>Compares two keys by name.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns>Whether the names differ (ordinal).</returns>
    public static bool operator !=(ResiliencePropertyKey<TValue> left, ResiliencePropertyKey<TValue> right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(ResiliencePropertyKey<TValue> other) => string.Equals(Key, other.Key, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ResiliencePropertyKey<TValue> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Key is null ? 0 : StringComparer.Ordinal.GetHashCode(Key);

    /// <inheritdoc/>
    public override string ToString() => Key ?? string.Empty;
}
