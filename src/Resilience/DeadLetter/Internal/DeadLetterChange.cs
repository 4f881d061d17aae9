namespace Resilience.DeadLetter.Internal;

/// <summary>
/// One change to a store's entries — the unit both the live write path and replay at open apply, through the same
/// function, so they cannot disagree.
/// </summary>
internal sealed class DeadLetterChange
{
    private DeadLetterChange(DeadLetterChangeKind kind, string id, DeadLetterEntry? entry, long version, long expectedVersion)
    {
        Kind = kind;
        Id = id;
        Entry = entry;
        Version = version;
        ExpectedVersion = expectedVersion;
    }

    public DeadLetterChangeKind Kind { get; }

    public string Id { get; }

    /// <summary>Gets the whole entry (Put) or the carrier of the new state fields (State).</summary>
    public DeadLetterEntry? Entry { get; }

    /// <summary>Gets the version a snapshot recorded; 0 makes the record's sequence number the version.</summary>
    public long Version { get; }

    /// <summary>Gets the version the entry must be at for the change to apply; 0 applies it unconditionally.</summary>
    public long ExpectedVersion { get; }

    /// <summary>Gets or sets the entry as the change left it, or <see langword="null"/> when it did not apply (or deleted it).</summary>
    public DeadLetterEntry? Result { get; set; }

    /// <summary>Gets or sets a value indicating whether the change applied.</summary>
    public bool Applied { get; set; }

    /// <summary>Gets or sets the bytes the change's record takes (an entry's share of the log's live bytes).</summary>
    public int RecordSize { get; set; }

    public static DeadLetterChange Put(DeadLetterEntry entry, long version, long expectedVersion) => new(DeadLetterChangeKind.Put, entry.Id, entry, version, expectedVersion);

    public static DeadLetterChange State(DeadLetterEntry state, long expectedVersion) => new(DeadLetterChangeKind.State, state.Id, state, 0, expectedVersion);

    public static DeadLetterChange Delete(string id, long expectedVersion) => new(DeadLetterChangeKind.Delete, id, null, 0, expectedVersion);
}

/// <summary>What a <see cref="DeadLetterChange"/> does.</summary>
internal enum DeadLetterChangeKind
{
    Put,
    State,
    Delete,
}
