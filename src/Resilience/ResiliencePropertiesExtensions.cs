using System.Diagnostics.CodeAnalysis;

namespace Resilience;

/// <summary>
/// Typed access to <see cref="ResilienceContext.Properties"/> with a <see cref="ResiliencePropertyKey{TValue}"/>, in
/// Polly's call shape (<c>context.Properties.Set(key, value)</c>, <c>TryGetValue(key, out var value)</c>,
/// <c>GetValue(key, defaultValue)</c>).
/// </summary>
/// <remarks>
/// Extensions over the existing dictionary rather than a new property type, so string-keyed code keeps compiling
/// and both styles share the entries. A value type is boxed when stored, as in Polly.
/// </remarks>
public static class ResiliencePropertiesExtensions
{
    /// <summary>Stores a value under a typed key, replacing any previous value.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="properties">The context's properties.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="properties"/> is <see langword="null"/>.</exception>
    public static void Set<TValue>(this IDictionary<string, object?> properties, ResiliencePropertyKey<TValue> key, TValue value)
    {
        ArgumentNullException.ThrowIfNull(properties);
        properties[key.Key] = value;
    }

    /// <summary>Reads the value stored under a typed key.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="properties">The context's properties.</param>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns>Whether an entry of that name holds a <typeparamref name="TValue"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="properties"/> is <see langword="null"/>.</exception>
    public static bool TryGetValue<TValue>(this IDictionary<string, object?> properties, ResiliencePropertyKey<TValue> key, [MaybeNullWhen(false)] out TValue value)
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (properties.TryGetValue(key.Key, out var stored) && stored is TValue typed)
        {
            value = typed;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Reads the value stored under a typed key, or a default.</summary>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="properties">The context's properties.</param>
    /// <param name="key">The key.</param>
    /// <param name="defaultValue">What to return when no entry of that name holds a <typeparamref name="TValue"/>.</param>
    /// <returns>The stored value or <paramref name="defaultValue"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="properties"/> is <see langword="null"/>.</exception>
    public static TValue GetValue<TValue>(this IDictionary<string, object?> properties, ResiliencePropertyKey<TValue> key, TValue defaultValue)
        => properties.TryGetValue(key, out var value) ? value : defaultValue;
}
