using Resilience.DeadLetter.Internal;

namespace Resilience.DeadLetter;

/// <summary>Single-entry actions conditional on the version an operator read (the admin endpoints' <c>version</c>).</summary>
public sealed partial class DeadLetterQueue
{
    /// <summary>
    /// Applies an action to one entry only while it is at <paramref name="expectedVersion"/> (any version when
    /// <see langword="null"/>). The check runs inside the conditional update's retry: if the entry changes between the
    /// read and the write, the retry sees the new version and the action is refused, never applied to a state the
    /// operator did not see.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No entry has that id.</exception>
    /// <exception cref="DeadLetterVersionConflictException">The entry is at another version.</exception>
    /// <exception cref="InvalidOperationException">The action does not apply to the entry's state (see the public methods).</exception>
    internal async ValueTask<DeadLetterEntry> ActAtVersionAsync(string id, DeadLetterBulkAction action, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var changed = await ChangeAsync(
            id,
            entry =>
            {
                if (expectedVersion is { } expected && entry.Version != expected)
                {
                    throw new DeadLetterVersionConflictException(id, entry.Version, expected);
                }

                return action switch
                {
                    DeadLetterBulkAction.Replay => ReplayedNow(id, entry),
                    DeadLetterBulkAction.Discard => Discarded(entry),
                    DeadLetterBulkAction.Archive => Archived(entry),
                    _ => RestoredOrThrow(id, entry),
                };
            },
            cancellationToken).ConfigureAwait(false);
        if (action == DeadLetterBulkAction.Replay)
        {
            _telemetry.Report("OnReplayed");
            Processor.Schedule(changed);
        }

        return changed;
    }

    /// <summary>
    /// Removes an entry whose record no longer verifies (it can be neither read nor changed, only deleted), conditional
    /// on <paramref name="expectedVersion"/> when one is given: the version comes from the index, not the record.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No entry has that id.</exception>
    /// <exception cref="DeadLetterVersionConflictException">The entry is at another version.</exception>
    internal async ValueTask RemoveDamagedAsync(string id, long? expectedVersion, CancellationToken cancellationToken)
    {
        if (_store is not FileDeadLetterStore file || file.VersionOf(id) is not { } current)
        {
            throw new KeyNotFoundException($"No dead letter has the id '{id}'.");
        }

        if (expectedVersion is { } expected && expected != current)
        {
            throw new DeadLetterVersionConflictException(id, current, expected);
        }

        if (!await file.TryDeleteAtVersionAsync(id, current, cancellationToken).ConfigureAwait(false))
        {
            throw new DeadLetterVersionConflictException(id, file.VersionOf(id) ?? 0, current);
        }
    }

    private DeadLetterEntry ReplayedNow(string id, DeadLetterEntry entry)
    {
        if (entry.Status == DeadLetterStatus.Archived)
        {
            throw new InvalidOperationException($"The dead letter entry '{id}' is archived; restore it before replaying.");
        }

        EnsureHandler(entry.OperationType);
        var now = _options.TimeProvider.GetUtcNow();
        return Replayed(entry, now, now);
    }

    private DeadLetterEntry RestoredOrThrow(string id, DeadLetterEntry entry) => entry.Status == DeadLetterStatus.Archived
        ? Restored(entry)
        : throw new InvalidOperationException($"The dead letter entry '{id}' is {entry.Status}, not archived; only an archived entry can be restored.");
}
