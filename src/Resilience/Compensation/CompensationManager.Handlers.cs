using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Resilience.Compensation.Internal;

namespace Resilience.Compensation;

/// <summary>The registry of named handlers: what durable steps are rebuilt from after a restart.</summary>
public sealed partial class CompensationManager
{
    private readonly ConcurrentDictionary<string, Func<ReadOnlyMemory<byte>, CompensationStep>> _namedHandlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, object> _typedHandlers = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers a named compensation handler for durable mode; scopes then register steps by its name with a state the
    /// journal can store (serialized with <paramref name="typeInfo"/>).
    /// </summary>
    /// <typeparam name="TState">The state type.</typeparam>
    /// <param name="name">The handler's name, stored in the journal: keep it stable across releases.</param>
    /// <param name="typeInfo">The state's JSON metadata, from your <c>JsonSerializerContext</c>.</param>
    /// <param name="handler">Undoes a step, given its state; it may run more than once after a crash (make it idempotent).</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public void RegisterHandler<TState>(string name, JsonTypeInfo<TState> typeInfo, Func<TState, CancellationToken, ValueTask> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_namedHandlers.TryAdd(name, bytes => CompensationStep.From(JsonSerializer.Deserialize(bytes.Span, typeInfo)!, handler)))
        {
            throw new ArgumentException($"A compensation handler named '{name}' is already registered.", nameof(name));
        }

        _typedHandlers[name] = (typeInfo, handler);
    }

    internal (JsonTypeInfo<TState> TypeInfo, Func<TState, CancellationToken, ValueTask> Handler) FindHandler<TState>(string handlerName)
    {
        if (!_typedHandlers.TryGetValue(handlerName, out var typed) || typed is not ValueTuple<JsonTypeInfo<TState>, Func<TState, CancellationToken, ValueTask>> match)
        {
            throw new InvalidOperationException(_namedHandlers.ContainsKey(handlerName)
                ? $"The compensation handler '{handlerName}' takes another state type than {typeof(TState).Name}."
                : $"No compensation handler named '{handlerName}' is registered; register it with RegisterHandler before using it.");
        }

        return match;
    }

    /// <summary>Names the journaled handlers of these operations that are not registered (recovery runs nothing then).</summary>
    private List<string> MissingHandlers(IEnumerable<CompensationJournalOperation> operations)
        => [.. operations.SelectMany(o => o.Steps.Values.Select(s => s.HandlerName)).Where(h => !_namedHandlers.ContainsKey(h)).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// Rebuilds what is still to compensate of a journaled operation, highest index first: named steps from their
    /// handler and state, delegate steps as lost.
    /// </summary>
    private List<PendingStep> PendingFromJournal(CompensationJournalOperation operation)
    {
        var missing = MissingHandlers([operation]);
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The compensation journal names handlers that are not registered: {string.Join(", ", missing.Select(m => $"'{m}'"))}. Register them before resuming operation '{operation.Id}'.");
        }

        return [.. operation.PendingIndices().Select(i => operation.Steps.TryGetValue(i, out var step)
            ? PendingStep.Runnable(i, _namedHandlers[step.HandlerName](step.State))
            : PendingStep.Lost(i))];
    }
}
