using Resilience.DeadLetter;
using Resilience.PostgreSql.Internal;

namespace Resilience.PostgreSql;

/// <summary>
/// The synchronous forms of the pushed-down queries, for the queue's synchronous <c>Query</c> and <c>CountMatching</c>:
/// the same statements through Npgsql's synchronous I/O (as <see cref="Find"/> and <see cref="GetCounts"/>), not a
/// wait on the asynchronous forms.
/// </summary>
public sealed partial class PostgreSqlDeadLetterStore
{
    /// <inheritdoc/>
    /// <remarks>One <c>SELECT … WHERE … ORDER BY id LIMIT</c>, as <see cref="QueryPageAsync"/>.</remarks>
    public IReadOnlyList<DeadLetterEntry> QueryPage(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses, int skip, int take)
    {
        CheckPage(criteria, statuses, skip, take);
        return Run(
            static (connection, state) =>
            {
                using var command = state.store.QueryPageCommand(connection, state.criteria, state.statuses, state.skip, state.take);
                using var reader = command.ExecuteReader();
                var entries = new List<DeadLetterEntry>(Math.Min(state.take, 1024));
                while (reader.Read())
                {
                    entries.Add(DeadLetterEntryMapper.Read(reader));
                }

                return entries;
            },
            (store: this, criteria, statuses, skip, take));
    }

    /// <inheritdoc/>
    public int CountMatching(DeadLetterQuery criteria, IReadOnlyCollection<DeadLetterStatus> statuses)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(statuses);
        return Run(
            static (connection, state) =>
            {
                using var command = state.store.CountCommand(connection, state.criteria, state.statuses);
                return (int)Math.Min(int.MaxValue, (long)command.ExecuteScalar()!);
            },
            (store: this, criteria, statuses));
    }

    /// <inheritdoc/>
    /// <remarks>The same pages and conditional <c>UPDATE</c> as <see cref="FillMissingFailureGroupsAsync"/>.</remarks>
    public int FillMissingFailureGroups(Func<DeadLetterEntry, string> failureGroup)
    {
        ArgumentNullException.ThrowIfNull(failureGroup);
        var filled = 0;
        string? after = null;
        while (true)
        {
            var page = Run(
                static (connection, state) =>
                {
                    using var command = state.store.MissingGroupsCommand(connection, state.after);
                    using var reader = command.ExecuteReader();
                    var entries = new List<DeadLetterEntry>();
                    while (reader.Read())
                    {
                        entries.Add(DeadLetterEntryMapper.Read(reader));
                    }

                    return entries;
                },
                (store: this, after));
            if (page.Count == 0)
            {
                return filled;
            }

            var (ids, groups) = GroupsOf(page, failureGroup);
            filled += Run(
                static (connection, state) =>
                {
                    using var command = state.store.SetGroupsCommand(connection, state.ids, state.groups);
                    return command.ExecuteNonQuery();
                },
                (store: this, ids, groups));
            if (page.Count < FillPageSize)
            {
                return filled;
            }

            after = ids[^1];
        }
    }
}
