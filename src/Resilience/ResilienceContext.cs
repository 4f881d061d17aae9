namespace Resilience;

/// <summary>
/// The state of one execution flowing through a pipeline: the cancellation token every strategy and the callback
/// observe, whether the caller is synchronous, and a property bag for user data.
/// </summary>
/// <remarks>
/// Contexts are pooled: get one from <see cref="ResilienceContextPool.Shared"/> and return it when the execution
/// is over. Never keep a reference to a context after returning it.
/// </remarks>
public sealed class ResilienceContext
{
    private Dictionary<string, object?>? _properties;

    internal ResilienceContext()
    {
    }

    /// <summary>
    /// Gets or sets the cancellation token of the current execution. Strategies such as timeout replace it for the
    /// strategies and callback they wrap and restore it afterwards.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// Gets the key that identifies the operation in telemetry, if the caller gave one.
    /// </summary>
    public string? OperationKey { get; internal set; }

    /// <summary>
    /// Gets a value indicating whether the execution was started from a synchronous <c>Execute</c> overload;
    /// strategies then wait synchronously instead of going asynchronous where they can.
    /// </summary>
    public bool IsSynchronous { get; internal set; }

    /// <summary>
    /// Gets the user properties of this execution. The dictionary is created on first use.
    /// </summary>
    public IDictionary<string, object?> Properties => _properties ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>
    /// Copies this context's properties into <paramref name="target"/>, replacing values under the same keys; does
    /// nothing (and allocates nothing) when this context has none. Hedging gives each attempt its own copy this way.
    /// </summary>
    internal void CopyPropertiesTo(ResilienceContext target)
    {
        if (_properties is not { Count: > 0 } source)
        {
            return;
        }

        var destination = target.Properties;
        foreach (var (key, value) in source)
        {
            destination[key] = value;
        }
    }

    /// <summary>
    /// Gets or sets the library's innermost timeout whose token is <see cref="CancellationToken"/> now (typed
    /// <see cref="object"/> so the core knows no strategy): a timeout nested in it links to it directly instead of
    /// registering on its token, which would allocate.
    /// </summary>
    internal object? ActiveTimeout { get; set; }

#pragma warning disable SA1401, CA1051 // Fields, not properties: the pool reads and writes them with Volatile.
    /// <summary>Whether the context is a thread's own pooled context (see <see cref="ResilienceContextPool"/>).</summary>
    internal bool IsThreadOwned;

    /// <summary>Whether a thread's own context is in use; only meaningful when <see cref="IsThreadOwned"/>.</summary>
    internal bool IsRented;
#pragma warning restore SA1401, CA1051

    internal void Initialize(string? operationKey, bool isSynchronous, CancellationToken cancellationToken)
    {
        OperationKey = operationKey;
        IsSynchronous = isSynchronous;

        // A pooled context holds the default token already (Reset); storing it again would cost a write barrier.
        if (cancellationToken.CanBeCanceled)
        {
            CancellationToken = cancellationToken;
        }
    }

    internal void Reset()
    {
        OperationKey = null;
        CancellationToken = default;
        IsSynchronous = false;
        ActiveTimeout = null;
        _properties?.Clear();
    }
}
