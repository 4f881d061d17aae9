namespace Resilience.DeadLetter;

/// <summary>
/// One dead-lettered operation: what to run again (operation type and payload), why it failed, and where its
/// retries stand. Entries are immutable snapshots; the queue replaces them as their state changes.
/// </summary>
public sealed record DeadLetterEntry
{
    /// <summary>Gets the identifier: 26 characters, sortable by creation time.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the operation type, which selects the handler that retries it.</summary>
    public required string OperationType { get; init; }

    /// <summary>Gets when the entry was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the entry last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Gets the latest failure.</summary>
    public required DeadLetterError Error { get; init; }

    /// <summary>Gets the payload bytes (UTF-8 JSON when added with a serializer).</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>Gets free-form context (correlation ids, tenant, ...), after redaction.</summary>
    public IReadOnlyDictionary<string, string> Context { get; init; } = EmptyContext;

    /// <summary>Gets how many retry attempts the queue has made.</summary>
    public int AttemptCount { get; init; }

    /// <summary>Gets how many retry attempts the queue may make before the entry is exhausted.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>Gets when the next attempt is due, if one is scheduled.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Gets the status.</summary>
    public DeadLetterStatus Status { get; init; }

    /// <summary>
    /// Gets the failure group: the <see cref="IDeadLetterFingerprinter"/>'s fingerprint of the latest failure, set when
    /// the entry is added and after each failed attempt. <see langword="null"/> for entries stored before failure groups
    /// existed (the queue then computes it from <see cref="Error"/> when it groups or filters).
    /// </summary>
    public string? FailureGroup { get; init; }

    /// <summary>Gets when the operation first failed (when it was added), if known.</summary>
    public DateTimeOffset? FirstFailedAt { get; init; }

    /// <summary>Gets when the operation last failed (when it was added, or its latest failed attempt), if known.</summary>
    public DateTimeOffset? LastFailedAt { get; init; }

    /// <summary>Gets how many times an operator replayed the entry.</summary>
    public int ReplayCount { get; init; }

    /// <summary>Gets when an operator last replayed the entry, if ever.</summary>
    public DateTimeOffset? LastReplayedAt { get; init; }

    /// <summary>
    /// Gets the version the store gave this state of the entry: raised on every change, never reused. Conditional
    /// writes (<see cref="IDeadLetterStore.TryUpdateAsync"/>) compare it; the value of a new entry is ignored.
    /// </summary>
    public long Version { get => _version; init => _version = value; }

    private long _version;

    /// <summary>Sets the version of an entry the store just created and nobody else has seen yet (saves a copy per write).</summary>
    internal void AssignVersion(long version) => _version = version;

    internal static IReadOnlyDictionary<string, string> EmptyContext { get; } = new Dictionary<string, string>(0);
}
