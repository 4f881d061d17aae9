using System.Runtime.ExceptionServices;

namespace Resilience;

/// <summary>
/// Creates <see cref="Outcome{TResult}"/> values.
/// </summary>
public static class Outcome
{
    /// <summary>
    /// Creates an outcome holding a result.
    /// </summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="result">The result.</param>
    /// <returns>The outcome.</returns>
    public static Outcome<TResult> FromResult<TResult>(TResult result) => new(result);

    /// <summary>
    /// Creates a completed <see cref="ValueTask{TResult}"/> of an outcome holding a result.
    /// </summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="result">The result.</param>
    /// <returns>The completed task.</returns>
    public static ValueTask<Outcome<TResult>> FromResultAsValueTask<TResult>(TResult result) => new(new Outcome<TResult>(result));

    /// <summary>
    /// Creates an outcome holding an exception; its stack trace is kept for a later rethrow.
    /// </summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="exception">The exception.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static Outcome<TResult> FromException<TResult>(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(ExceptionDispatchInfo.Capture(exception));
    }

    /// <summary>
    /// Creates a completed <see cref="ValueTask{TResult}"/> of an outcome holding an exception.
    /// </summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="exception">The exception.</param>
    /// <returns>The completed task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is <see langword="null"/>.</exception>
    public static ValueTask<Outcome<TResult>> FromExceptionAsValueTask<TResult>(Exception exception) => new(FromException<TResult>(exception));

    /// <summary>
    /// Converts an outcome between the call site's result type and a strategy's result type.
    /// </summary>
    /// <remarks>
    /// A result-aware pipeline only ever converts <c>T</c> to itself (free); a non-generic pipeline converts to and
    /// from <see cref="object"/>, which boxes value-type results.
    /// </remarks>
    internal static Outcome<TTo> Convert<TFrom, TTo>(in Outcome<TFrom> outcome)
    {
        if (typeof(TFrom) == typeof(TTo))
        {
            return System.Runtime.CompilerServices.Unsafe.As<Outcome<TFrom>, Outcome<TTo>>(
                ref System.Runtime.CompilerServices.Unsafe.AsRef(in outcome));
        }

        if (outcome.ExceptionDispatchInfo is { } edi)
        {
            return new Outcome<TTo>(edi);
        }

        object? boxed = outcome.Result;
        if (boxed is TTo typed)
        {
            return new Outcome<TTo>(typed);
        }

        if (boxed is null && default(TTo) is null)
        {
            return new Outcome<TTo>(default(TTo)!);
        }

        return FromException<TTo>(new InvalidCastException(
            $"The outcome holds a value of type '{boxed?.GetType().FullName}' but the call site expects '{typeof(TTo).FullName}'."));
    }
}
