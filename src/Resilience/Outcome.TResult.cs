using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;

namespace Resilience;

/// <summary>
/// The outcome of an operation: either a result or an exception, carried as a value so strategies can pass
/// failures along without throwing and catching at every layer.
/// </summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
public readonly struct Outcome<TResult>
{
    internal Outcome(TResult result)
    {
        Result = result;
        ExceptionDispatchInfo = null;
    }

    internal Outcome(ExceptionDispatchInfo exceptionDispatchInfo)
    {
        Result = default;
        ExceptionDispatchInfo = exceptionDispatchInfo;
    }

    /// <summary>
    /// Gets the result of the operation, or the default value when the operation failed.
    /// </summary>
    public TResult? Result { get; }

    /// <summary>
    /// Gets the exception the operation failed with, or <see langword="null"/> when it produced a result.
    /// </summary>
    public Exception? Exception => ExceptionDispatchInfo?.SourceException;

    /// <summary>
    /// Gets a value indicating whether the operation produced a result (did not fail with an exception).
    /// </summary>
    [MemberNotNullWhen(false, nameof(Exception))]
    public bool HasResult => ExceptionDispatchInfo is null;

    internal ExceptionDispatchInfo? ExceptionDispatchInfo { get; }

    /// <summary>
    /// Rethrows the exception of a failed outcome, keeping its original stack trace; does nothing for a result.
    /// </summary>
    public void ThrowIfException() => ExceptionDispatchInfo?.Throw();

    /// <summary>
    /// Returns the result, or rethrows the exception (with its original stack trace) of a failed outcome.
    /// </summary>
    /// <returns>The result of the operation.</returns>
    public TResult GetResultOrRethrow()
    {
        ExceptionDispatchInfo?.Throw();
        return Result!;
    }

    /// <summary>
    /// Returns the result or the exception as text, for logs and debugging.
    /// </summary>
    /// <returns>The exception message or the result text.</returns>
    public override string ToString() => ExceptionDispatchInfo is { } edi
        ? edi.SourceException.Message
        : Result?.ToString() ?? string.Empty;
}
