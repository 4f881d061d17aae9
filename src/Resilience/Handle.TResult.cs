using System.Diagnostics.CodeAnalysis;

namespace Resilience;

/// <summary>
/// Starts an <see cref="OutcomePredicate{TResult}"/> for result-aware pipelines (<see cref="ResiliencePipeline{TResult}"/>).
/// </summary>
/// <typeparam name="TResult">The result type of the pipeline.</typeparam>
/// <example>
/// <code>
/// ShouldHandle = Handle&lt;HttpResponseMessage&gt;.Exception&lt;HttpRequestException&gt;().OrResult(r =&gt; (int)r.StatusCode &gt;= 500)
/// </code>
/// </example>
[SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Handle<TResult>.Exception<T>() reads as the rule it builds; the type argument cannot be inferred.")]
public static class Handle<TResult>
{
    /// <summary>
    /// Handles exceptions of type <typeparamref name="TException"/> (or derived from it).
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <returns>A rule to extend with <c>Or</c> and <c>OrResult</c>.</returns>
    public static OutcomePredicate<TResult> Exception<TException>()
        where TException : Exception => new OutcomePredicate<TResult>().Or<TException>();

    /// <summary>
    /// Handles exceptions of type <typeparamref name="TException"/> that match <paramref name="filter"/>.
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <param name="filter">Returns <see langword="true"/> for the exceptions to handle.</param>
    /// <returns>A rule to extend with <c>Or</c> and <c>OrResult</c>.</returns>
    public static OutcomePredicate<TResult> Exception<TException>(Func<TException, bool> filter)
        where TException : Exception => new OutcomePredicate<TResult>().Or(filter);

    /// <summary>
    /// Handles exceptions whose direct inner exception is a <typeparamref name="TException"/> (Polly's <c>HandleInner</c>).
    /// </summary>
    /// <typeparam name="TException">The type of the inner exception.</typeparam>
    /// <returns>A rule to extend with <c>Or</c>.</returns>
    public static OutcomePredicate<TResult> InnerException<TException>()
        where TException : Exception => new OutcomePredicate<TResult>().OrInner<TException>();

    /// <summary>
    /// Handles exceptions whose direct inner exception is a <typeparamref name="TException"/> that matches
    /// <paramref name="filter"/> (Polly's <c>HandleInner</c>).
    /// </summary>
    /// <typeparam name="TException">The type of the inner exception.</typeparam>
    /// <param name="filter">Returns <see langword="true"/> for the inner exceptions to handle.</param>
    /// <returns>A rule to extend with <c>Or</c>.</returns>
    public static OutcomePredicate<TResult> InnerException<TException>(Func<TException, bool> filter)
        where TException : Exception => new OutcomePredicate<TResult>().OrInner(filter);

    /// <summary>
    /// Handles results that match <paramref name="predicate"/>.
    /// </summary>
    /// <param name="predicate">Returns <see langword="true"/> for the results to handle.</param>
    /// <returns>A rule to extend with <c>Or</c> and <c>OrResult</c>.</returns>
    public static OutcomePredicate<TResult> Result(Func<TResult, bool> predicate) => new OutcomePredicate<TResult>().OrResult(predicate);
}
