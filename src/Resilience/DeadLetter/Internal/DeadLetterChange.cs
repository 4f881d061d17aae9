namespace Resilience.DeadLetter.Internal;

/// <summary>
/// One change to a store's entries — the unit both the live write path and replay at open apply, through the same
/// function, so they cannot disagree. It carries only what the in-memory index keeps (no payload, no error text):
/// replay decodes just those fields, so reopening does not allocate the payloads.
/// </summary>
internal sealed class DeadLetterChange
{
    private DeadLetterChange(DeadLetterChangeKind kind, string id, long version, long expectedVersion)
    {
        Kind = kind;
        Id = id;
        Version = version;
        ExpectedVersion = expectedVersion;
    }

    public DeadLetterChangeKind Kind { get; private set; }

    public string Id { get; private set; }

    /// <summary>Gets the version a snapshot recorded; 0 makes the record's sequence number the version.</summary>
    public long Version { get; private set; }

    /// <summary>Gets the version the entry must be at for the change to apply; 0 applies it unconditionally.</summary>
    public long ExpectedVersion { get; private set; }

    /// <summary>Gets the caller's entry on the live path (what <see cref="Result"/> is made from); <see langword="null"/> in replay.</summary>
    public DeadLetterEntry? Entry { get; private set; }

    public string OperationType { get; private set; } = string.Empty;

    public long CreatedTicks { get; private set; }

    public long UpdatedTicks { get; private set; }

    public long NextAttemptTicks { get; private set; } = IndexedEntry.NoTime;

    public int AttemptCount { get; private set; }

    public int MaxAttempts { get; private set; }

    public DeadLetterStatus Status { get; private set; }

    public int PayloadLength { get; private set; }

    /// <summary>Gets the failure fields (group, reason, times, replays) the change sets.</summary>
    public FailureFields Failure { get; private set; } = FailureFields.None;

    /// <summary>Gets or sets a value indicating whether the caller wants <see cref="Result"/>.</summary>
    public bool WantsResult { get; set; }

    /// <summary>Gets or sets the entry as the change left it, or <see langword="null"/> when it did not apply (or deleted it).</summary>
    public DeadLetterEntry? Result { get; set; }

    /// <summary>Gets or sets a value indicating whether the change applied.</summary>
    public bool Applied { get; set; }

    public static DeadLetterChange Put(DeadLetterEntry entry, long expectedVersion) => ForReplay().SetPut(entry, expectedVersion);

    public static DeadLetterChange State(DeadLetterEntry state, long expectedVersion) => ForReplay().SetState(state, expectedVersion);

    public static DeadLetterChange Delete(string id, long expectedVersion) => ForReplay().SetDelete(id, expectedVersion);

    /// <summary>Gets a change for replay to decode into, record after record (replay applies each before reading the next).</summary>
    public static DeadLetterChange ForReplay() => new(DeadLetterChangeKind.Delete, string.Empty, 0, 0);

    /// <summary>Makes this (a new or reused change) a Put of the caller's entry, on the live path.</summary>
    public DeadLetterChange SetPut(DeadLetterEntry entry, long expectedVersion)
    {
        Set(DeadLetterChangeKind.Put, entry.Id, 0, expectedVersion, (entry.AttemptCount, entry.MaxAttempts, entry.NextAttemptAt?.UtcTicks ?? IndexedEntry.NoTime, entry.Status));
        Entry = entry;
        OperationType = entry.OperationType;
        CreatedTicks = entry.CreatedAt.UtcTicks;
        UpdatedTicks = entry.UpdatedAt.UtcTicks;
        PayloadLength = entry.Payload.Length;
        Failure = FailureFields.Of(entry);
        return this;
    }

    /// <summary>Makes this (a new or reused change) a state change of the caller's entry, on the live path.</summary>
    public DeadLetterChange SetState(DeadLetterEntry state, long expectedVersion)
    {
        Set(DeadLetterChangeKind.State, state.Id, 0, expectedVersion, (state.AttemptCount, state.MaxAttempts, state.NextAttemptAt?.UtcTicks ?? IndexedEntry.NoTime, state.Status));
        Entry = state;
        UpdatedTicks = state.UpdatedAt.UtcTicks;
        Failure = FailureFields.Of(state);
        return this;
    }

    /// <summary>Makes this (a new or reused change) a removal, on the live path.</summary>
    public DeadLetterChange SetDelete(string id, long expectedVersion)
    {
        Set(DeadLetterChangeKind.Delete, id, 0, expectedVersion, (0, 0, IndexedEntry.NoTime, default));
        return this;
    }

    /// <summary>Drops the references to the caller's entries, so a pooled change keeps no payload alive.</summary>
    public void Forget()
    {
        Entry = null;
        Result = null;
        Id = string.Empty;
        OperationType = string.Empty;
        Failure = FailureFields.None;
    }

    /// <summary>Makes this a Put read back from disk.</summary>
    public DeadLetterChange SetDecodedPut(string id, string operationType, long created, long updated, int payloadLength, (int Attempts, int MaxAttempts, long Next, DeadLetterStatus Status) state, FailureFields failure, long version, long expectedVersion)
    {
        Set(DeadLetterChangeKind.Put, id, version, expectedVersion, state);
        Failure = failure;
        OperationType = operationType;
        CreatedTicks = created;
        UpdatedTicks = updated;
        PayloadLength = payloadLength;
        return this;
    }

    /// <summary>Makes this a state change read back from disk.</summary>
    public DeadLetterChange SetDecodedState(string id, long updated, (int Attempts, int MaxAttempts, long Next, DeadLetterStatus Status) state, FailureFields failure, long expectedVersion)
    {
        Set(DeadLetterChangeKind.State, id, 0, expectedVersion, state);
        Failure = failure;
        UpdatedTicks = updated;
        return this;
    }

    /// <summary>Makes this a removal read back from disk.</summary>
    public DeadLetterChange SetDecodedDelete(string id, long expectedVersion)
    {
        Set(DeadLetterChangeKind.Delete, id, 0, expectedVersion, (0, 0, IndexedEntry.NoTime, default));
        return this;
    }

    private void Set(DeadLetterChangeKind kind, string id, long version, long expectedVersion, (int Attempts, int MaxAttempts, long Next, DeadLetterStatus Status) state)
    {
        Kind = kind;
        Id = id;
        Version = version;
        ExpectedVersion = expectedVersion;
        Entry = null;
        OperationType = string.Empty;
        CreatedTicks = 0;
        UpdatedTicks = 0;
        PayloadLength = 0;
        Failure = FailureFields.None;
        AttemptCount = state.Attempts;
        MaxAttempts = state.MaxAttempts;
        NextAttemptTicks = state.Next;
        Status = state.Status;
        WantsResult = false;
        Result = null;
        Applied = false;
    }
}

/// <summary>
/// The failure fields a Put or State record carries (times as UTC ticks, <see cref="IndexedEntry.NoTime"/> for none).
/// A record written before they existed decodes as <see cref="None"/> with the reason of its error.
/// </summary>
internal readonly record struct FailureFields(DeadLetterFailureReason Reason, string? Group, long FirstFailed, long LastFailed, int ReplayCount, long LastReplayed)
{
    public static FailureFields None { get; } = new(default, null, IndexedEntry.NoTime, IndexedEntry.NoTime, 0, IndexedEntry.NoTime);

    public static FailureFields Of(DeadLetterEntry entry) => new(
        entry.Error.Reason,
        entry.FailureGroup,
        IndexedEntry.TicksOrNoTime(entry.FirstFailedAt),
        IndexedEntry.TicksOrNoTime(entry.LastFailedAt),
        entry.ReplayCount,
        IndexedEntry.TicksOrNoTime(entry.LastReplayedAt));
}

/// <summary>What a <see cref="DeadLetterChange"/> does.</summary>
internal enum DeadLetterChangeKind
{
    Put,
    State,
    Delete,
}
