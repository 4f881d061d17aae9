namespace Resilience;

/// <summary>
/// Starts an <see cref="OutcomePredicate{TResult}"/> for non-generic pipelines (results seen as <see cref="object"/>).
/// </summary>
/// <example>
/// <code>
/// ShouldHandle = Handle.Exception&lt;HttpRequestException&gt;().Or&lt;TimeoutRejectedException&gt;()
/// </code>
/// </example>
public static class Handle
{
    /// <summary>
    /// Handles exceptions of type <typeparamref name="TException"/> (or derived from it).
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <returns>A rule to extend with <c>Or</c>.</returns>
    public static OutcomePredicate<object> Exception<TException>()
        where TException : Exception => new OutcomePredicate<object>().Or<TException>();

    /// <summary>
    /// Handles exceptions of type <typeparamref name="TException"/> that match <paramref name="filter"/>.
    /// </summary>
    /// <typeparam name="TException">The exception type.</typeparam>
    /// <param name="filter">Returns <see langword="true"/> for the exceptions to handle.</param>
    /// <returns>A rule to extend with <c>Or</c>.</returns>
    public static OutcomePredicate<object> Exception<TException>(Func<TException, bool> filter)
        where TException : Exception => new OutcomePredicate<object>().Or(filter);

    /// <summary>
    /// Handles exceptions whose direct inner exception is a <typeparamref name="TException"/> (Polly's <c>HandleInner</c>).
    /// </summary>
    /// <typeparam name="TException">The type of the inner exception.</typeparam>
    /// <returns>A rule to extend with <c>Or</c>.</returns>
    public static OutcomePredicate<object> InnerException<TException>()
        where TException : Exception => new OutcomePredicate<object>().OrInner<TException>();

    /// <summary>
    /// Handles exceptions whose direct inner exception is a <typeparamref name="TException"/> that matches
    /// <paramref name="filter"/> (Polly's <c>HandleInner</c>).
    /// </summary>
    /// <typeparam name="TException">The type of the inner exception.</typeparam>
    /// <param name="filter">Returns <see langword="true"/> for the inner exceptions to handle.</param>
    /// <returns>A rule to extend with <c>Or</c>.</returns>
    public static OutcomePredicate<object> InnerException<TException>(Func<TException, bool> filter)
        where TException : Exception => new OutcomePredicate<object>().OrInner(filter);

    /// <summary>
    /// Handles results that match <paramref name="predicate"/>.
    /// </summary>
    /// <param name="predicate">Returns <see langword="true"/> for the results to handle.</param>
    /// <returns>A rule to extend with <c>Or</c>.</returns>
    public static OutcomePredicate<object> Result(Func<object, bool> predicate) => new OutcomePredicate<object>().OrResult(predicate);
}
