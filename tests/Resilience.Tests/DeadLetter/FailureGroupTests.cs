using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Failure groups (fingerprints), the richer query filters, summaries, and the operator's actions on every matching
/// entry: counted, conditional on the store's versions, and persisted across a reopen.
/// </summary>
#pragma warning disable CA1001 // xunit disposes it through IAsyncLifetime.DisposeAsync.
public sealed class FailureGroupTests : IAsyncLifetime
{
    private const string OrdersFrame = "   at Shop.Orders.PaymentClient.ChargeAsync(Order order) in /src/Shop/PaymentClient.cs:line 42";
    private const string MailFrame = "   at Shop.Mail.Sender.SendAsync(Mail mail) in /src/Shop/Sender.cs:line 7";
    private const string FrameworkFrames = "   at System.Net.Http.HttpClient.SendAsync(HttpRequestMessage request)\n   at Microsoft.Extensions.Http.Handler.SendAsync()\n   at Resilience.Pipeline.ResiliencePipeline.ExecuteAsync()\n";

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private DeadLetterQueue _queue = null!;

    public Task InitializeAsync()
    {
        _queue = Open();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _queue.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public void Fingerprint_SkipsFrameworkFramesAndIgnoresFileAndLine()
    {
        var fingerprinter = DeadLetterFingerprinter.Default;
        var a = fingerprinter.Compute("charge", Error("System.Net.Http.HttpRequestException", "503", FrameworkFrames + OrdersFrame));
        var moved = fingerprinter.Compute("charge", Error("System.Net.Http.HttpRequestException", "503 again", FrameworkFrames + OrdersFrame.Replace("line 42", "line 57", StringComparison.Ordinal)));
        var otherFrame = fingerprinter.Compute("charge", Error("System.Net.Http.HttpRequestException", "503", FrameworkFrames + MailFrame));
        var otherType = fingerprinter.Compute("charge", Error("System.TimeoutException", "503", FrameworkFrames + OrdersFrame));

        a.Should().HaveLength(16).And.Be(moved, "the message, file and line do not split a group");
        a.Should().NotBe(otherFrame).And.NotBe(otherType);
        fingerprinter.FirstApplicationFrame(FrameworkFrames + OrdersFrame).Should().Be("Shop.Orders.PaymentClient.ChargeAsync(Order order)");
        fingerprinter.FirstApplicationFrame(FrameworkFrames).Should().BeNull("every frame is framework code");
    }

    [Fact]
    public async Task AddAsync_SetsFailureGroupAndFailureTimes()
    {
        var entry = await Add("charge-card", "HttpRequestException", "503 from payments", OrdersFrame);

        entry.FailureGroup.Should().Be(DeadLetterFingerprinter.Default.Compute("charge-card", entry.Error));
        entry.FirstFailedAt.Should().Be(_time.GetUtcNow());
        entry.LastFailedAt.Should().Be(_time.GetUtcNow());
        entry.ReplayCount.Should().Be(0);
        entry.LastReplayedAt.Should().BeNull();
    }

    [Fact]
    public async Task FailedAttemptAfterReplay_RecordsReplayCountTimesAndNewGroup_AndSurvivesReopen()
    {
        var added = await Add("charge-card", "HttpRequestException", "503", OrdersFrame);
        _queue.RegisterHandler("charge-card", (_, _) => throw new TimeoutException("payments hung"));
        await _queue.DiscardAsync(added.Id);
        _time.Advance(TimeSpan.FromMinutes(1));
        var replayedAt = _time.GetUtcNow();
        await _queue.ReplayAsync(added.Id);
        _queue.Processor.Start();
        _time.Advance(TimeSpan.FromMinutes(1));
        await _queue.Processor.WaitForIdleAsync();

        var failed = _queue.Get(added.Id)!;
        failed.AttemptCount.Should().Be(1);
        failed.ReplayCount.Should().Be(1);
        failed.LastReplayedAt.Should().Be(replayedAt);
        failed.FirstFailedAt.Should().Be(added.FirstFailedAt);
        failed.LastFailedAt.Should().BeAfter(replayedAt);
        failed.Error.Type.Should().Be(typeof(TimeoutException).FullName);
        failed.FailureGroup.Should().Be(DeadLetterFingerprinter.Default.Compute("charge-card", failed.Error)).And.NotBe(added.FailureGroup);

        await _queue.DisposeAsync();
        _queue = Open();
        var reopened = _queue.Get(added.Id)!;
        reopened.ReplayCount.Should().Be(1);
        reopened.LastReplayedAt.Should().Be(replayedAt);
        reopened.FirstFailedAt.Should().Be(added.FirstFailedAt);
        reopened.LastFailedAt.Should().Be(failed.LastFailedAt);
        reopened.FailureGroup.Should().Be(failed.FailureGroup);
    }

    [Fact]
    public async Task Query_FiltersByFailureGroupMessageAndErrorType()
    {
        var a = await Add("charge-card", "System.Net.Http.HttpRequestException", "503 Service Unavailable", OrdersFrame);
        await Add("charge-card", "System.Net.Http.HttpRequestException", "504 Gateway Timeout", OrdersFrame);
        await Add("send-email", "System.TimeoutException", "smtp timed out", MailFrame);

        _queue.Query(new DeadLetterQuery { FailureGroup = a.FailureGroup }).TotalMatches.Should().Be(2);
        _queue.Query(new DeadLetterQuery { ErrorMessage = "503 Service Unavailable" }).Entries.Should().ContainSingle().Which.Id.Should().Be(a.Id);
        _queue.Query(new DeadLetterQuery { ErrorMessage = "503" }).TotalMatches.Should().Be(0, "exact means the whole message");
        _queue.Query(new DeadLetterQuery { ErrorMessageContains = "TIMEOUT" }).TotalMatches.Should().Be(1, "contains ignores case: '504 Gateway Timeout'");
        _queue.Query(new DeadLetterQuery { ErrorType = "System.TimeoutException" }).TotalMatches.Should().Be(1);
        _queue.Query(new DeadLetterQuery { FailureGroup = "0000000000000000" }).TotalMatches.Should().Be(0);
    }

    [Fact]
    public async Task SummarizeAsync_GroupsByFailureGroupOperationTypeAndReason_WithFirstAndLastFailure()
    {
        var first = await Add("charge-card", "HttpRequestException", "503", OrdersFrame);
        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await Add("charge-card", "HttpRequestException", "504", OrdersFrame);
        await Add("send-email", "TimeoutException", "smtp", MailFrame);

        var byGroup = await _queue.SummarizeAsync(DeadLetterGrouping.FailureGroup);
        byGroup.Should().HaveCount(2);
        byGroup[0].Key.Should().Be(first.FailureGroup);
        byGroup[0].Count.Should().Be(2);
        byGroup[0].FirstFailedAt.Should().Be(first.FirstFailedAt!.Value);
        byGroup[0].LastFailedAt.Should().Be(second.LastFailedAt!.Value);
        byGroup[0].LatestMessage.Should().Be("504");
        byGroup[0].OperationType.Should().Be("charge-card");

        (await _queue.SummarizeAsync(DeadLetterGrouping.OperationType)).Select(g => (g.Key, g.Count)).Should().Equal(("charge-card", 2), ("send-email", 1));
        (await _queue.SummarizeAsync(DeadLetterGrouping.Reason)).Should().ContainSingle().Which.Key.Should().Be(nameof(DeadLetterFailureReason.MaxRetriesExceeded));
    }

    [Fact]
    public async Task ArchiveMatching_DropsOutOfSummariesQueriesAndReplays_UntilRestored()
    {
        var a = await Add("charge-card", "HttpRequestException", "503", OrdersFrame);
        await Add("charge-card", "HttpRequestException", "503", OrdersFrame);
        var mail = await Add("send-email", "TimeoutException", "smtp", MailFrame);
        _queue.RegisterHandler("charge-card", (_, _) => default);
        var group = new DeadLetterQuery { FailureGroup = a.FailureGroup };

        _queue.CountMatching(DeadLetterBulkAction.Archive, group).Should().Be(2, "the dry run counts");
        _queue.Query().TotalMatches.Should().Be(3, "the dry run changes nothing");
        (await _queue.ArchiveMatchingAsync(group)).Should().Be(2);

        _queue.Query().Entries.Select(e => e.Id).Should().Equal(mail.Id);
        _queue.Query(new DeadLetterQuery { IncludeArchived = true }).TotalMatches.Should().Be(3);
        _queue.Query(new DeadLetterQuery { Status = DeadLetterStatus.Archived }).TotalMatches.Should().Be(2);
        (await _queue.SummarizeAsync(DeadLetterGrouping.FailureGroup)).Should().ContainSingle().Which.Key.Should().Be(mail.FailureGroup);
        _queue.CountMatching(DeadLetterBulkAction.Replay, group).Should().Be(0);
        (await _queue.ReplayMatchingAsync(group, 100)).Should().Be(0, "archived entries are not replayed");
        var replayOne = async () => await _queue.ReplayAsync(a.Id);
        await replayOne.Should().ThrowAsync<InvalidOperationException>().WithMessage("*archived*restore*");

        _queue.CountMatching(DeadLetterBulkAction.Restore, group).Should().Be(2);
        (await _queue.RestoreMatchingAsync(group)).Should().Be(2);
        _queue.Get(a.Id)!.Status.Should().Be(DeadLetterStatus.Exhausted);
        (await _queue.ReplayMatchingAsync(group, 100)).Should().Be(2);
        _queue.Get(a.Id)!.ReplayCount.Should().Be(1);
    }

    [Fact]
    public async Task DiscardMatching_CountsAndLeavesOthers()
    {
        var a = await Add("charge-card", "HttpRequestException", "503", OrdersFrame);
        var mail = await Add("send-email", "TimeoutException", "smtp", MailFrame);

        (await _queue.DiscardMatchingAsync(new DeadLetterQuery { FailureGroup = a.FailureGroup })).Should().Be(1);
        _queue.Get(a.Id)!.Status.Should().Be(DeadLetterStatus.Discarded);
        _queue.Get(mail.Id)!.Status.Should().Be(DeadLetterStatus.Pending);
        (await _queue.DiscardMatchingAsync(new DeadLetterQuery { FailureGroup = a.FailureGroup })).Should().Be(0, "already discarded");
    }

    [Fact]
    public async Task ArchiveRetention_RemovesArchivedEntries_ApartFromTheOtherRetention()
    {
        await _queue.DisposeAsync();
        _queue = Open(o =>
        {
            o.Retention = TimeSpan.FromDays(1);
            o.ArchiveRetention = TimeSpan.FromDays(10);
        });
        var archived = await Add("charge-card", "HttpRequestException", "503", OrdersFrame);
        var discarded = await Add("send-email", "TimeoutException", "smtp", MailFrame);
        await _queue.ArchiveAsync(archived.Id);
        await _queue.DiscardAsync(discarded.Id);
        _queue.Processor.Start();

        await SweepAfter(TimeSpan.FromDays(2));
        _queue.Get(discarded.Id).Should().BeNull("discarded entries go after Retention");
        _queue.Get(archived.Id).Should().NotBeNull("archived entries are kept for ArchiveRetention");

        await SweepAfter(TimeSpan.FromDays(9));
        _queue.Get(archived.Id).Should().BeNull();

        async Task SweepAfter(TimeSpan elapsed)
        {
            // The retention sweep runs with the processor's dispatches: a due entry (no handler, so it only waits)
            // makes the processor wake after the clock moved.
            _time.Advance(elapsed);
            await Add("tick", "Tick", "tick", MailFrame);
            _time.Advance(TimeSpan.FromSeconds(1));
            await _queue.Processor.WaitForIdleAsync();
        }
    }

    [Fact]
    public async Task MatchingActions_EntryChangedConcurrently_IsSkippedNotOverwritten()
    {
        // The store discards the entry right before the bulk action's conditional write lands, as an operator on
        // another node would: the archive must see the version change, re-read, find the entry no longer qualifies,
        // and skip it instead of overwriting the discard.
        var inner = new InMemoryDeadLetterStore();
        var racing = new RacingStore(inner);
        await using var queue = DeadLetterQueue.Create(racing, new DeadLetterQueueOptions { TimeProvider = _time, Randomizer = () => 0 });
        var a = await queue.AddAsync("charge-card", "{}"u8.ToArray(), Error("HttpRequestException", "503", OrdersFrame));
        var b = await queue.AddAsync("charge-card", "{}"u8.ToArray(), Error("HttpRequestException", "503", OrdersFrame));
        racing.BeforeNextUpdate = async () =>
        {
            var current = inner.Find(a.Id)!;
            await inner.TryUpdateAsync(current with { Status = DeadLetterStatus.Discarded });
        };

        var archived = await queue.ArchiveMatchingAsync(new DeadLetterQuery { FailureGroup = a.FailureGroup });

        archived.Should().Be(1);
        queue.Get(a.Id)!.Status.Should().Be(DeadLetterStatus.Discarded, "the concurrent discard stands");
        queue.Get(b.Id)!.Status.Should().Be(DeadLetterStatus.Archived);
    }

    [Fact]
    public async Task ActAtVersion_EntryChangedBetweenReadAndWrite_IsRefusedNotActedOn()
    {
        // The operator read version V and asked to archive at V; the entry changes right before the conditional write.
        // The retry must see the new version and refuse, not archive the state the operator never saw.
        var inner = new InMemoryDeadLetterStore();
        var racing = new RacingStore(inner);
        await using var queue = DeadLetterQueue.Create(racing, new DeadLetterQueueOptions { TimeProvider = _time, Randomizer = () => 0 });
        var entry = await queue.AddAsync("charge-card", "{}"u8.ToArray(), Error("HttpRequestException", "503", OrdersFrame));
        racing.BeforeNextUpdate = async () => await inner.TryUpdateAsync(inner.Find(entry.Id)! with { AttemptCount = 3 });

        var act = async () => await queue.ActAtVersionAsync(entry.Id, DeadLetterBulkAction.Archive, entry.Version, CancellationToken.None);

        await act.Should().ThrowAsync<DeadLetterVersionConflictException>().WithMessage($"*{entry.Id}*not {entry.Version}*");
        queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Pending);
        queue.Get(entry.Id)!.AttemptCount.Should().Be(3, "the concurrent change stands");
        (await queue.ActAtVersionAsync(entry.Id, DeadLetterBulkAction.Archive, queue.Get(entry.Id)!.Version, CancellationToken.None)).Status.Should().Be(DeadLetterStatus.Archived);
    }

    [Fact]
    public void Codec_RecordsWrittenWithoutFailureFields_DecodeWithDefaults()
    {
        var entry = TestEntries.Create(3) with { FailureGroup = "abc", FirstFailedAt = _time.GetUtcNow(), ReplayCount = 2 };
        var tail = RecordCodec.FailureTailSize(entry);
        var put = RecordCodec.EncodePut(entry, 7, 0);
        var state = RecordCodec.EncodeState(entry with { Status = DeadLetterStatus.Exhausted }, 7);
        try
        {
            // Reopening decodes the tail into the index (no entry, no payload is materialised).
            var full = RecordCodec.DecodeIndex(RecordType.Put, put.Body, new DecodePool(), DeadLetterChange.ForReplay());
            full.Failure.Group.Should().Be("abc");
            full.Failure.ReplayCount.Should().Be(2);
            full.Failure.FirstFailed.Should().Be(_time.GetUtcNow().UtcTicks);

            var oldPut = RecordCodec.DecodeIndex(RecordType.Put, put.Body[..^tail], new DecodePool(), DeadLetterChange.ForReplay());
            oldPut.Version.Should().Be(7);
            oldPut.Id.Should().Be(entry.Id);
            oldPut.OperationType.Should().Be(entry.OperationType);
            oldPut.PayloadLength.Should().Be(entry.Payload.Length);
            oldPut.Status.Should().Be(entry.Status);
            oldPut.Failure.Reason.Should().Be(entry.Error.Reason);
            oldPut.Failure.Group.Should().BeNull();
            oldPut.Failure.FirstFailed.Should().Be(IndexedEntry.NoTime);
            oldPut.Failure.ReplayCount.Should().Be(0);

            var oldState = RecordCodec.DecodeIndex(RecordType.State, state.Body[..^tail], new DecodePool(), DeadLetterChange.ForReplay());
            oldState.ExpectedVersion.Should().Be(7);
            oldState.Status.Should().Be(DeadLetterStatus.Exhausted);
            oldState.Failure.Group.Should().BeNull();
        }
        finally
        {
            put.Release();
            state.Release();
        }
    }

    [Fact]
    public async Task EntriesWithoutFailureGroup_AreGroupedAndFilteredFromTheirErrors()
    {
        // Entries written before failure groups existed (LogFormatTests.Open_Format1Store_... opens such records; the
        // codec test above decodes format 2 bodies without the tail) carry no group: the queue computes it from the
        // error, so they summarize and filter like new ones.
        var legacy = TestEntries.Create(1);
        await using (var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path + "-legacy" }))
        {
            await store.SaveAsync([legacy]);
        }

        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = _dir.Path + "-legacy", TimeProvider = _time });
        var entry = queue.Get(legacy.Id)!;
        entry.FailureGroup.Should().BeNull();
        var expected = DeadLetterFingerprinter.Default.Compute(entry.OperationType, entry.Error);
        (await queue.SummarizeAsync(DeadLetterGrouping.FailureGroup)).Should().ContainSingle().Which.Key.Should().Be(expected);
        queue.Query(new DeadLetterQuery { FailureGroup = expected }).TotalMatches.Should().Be(1);
        Directory.Delete(_dir.Path + "-legacy", recursive: true);
    }

    [Fact]
    public async Task GroupAndStatusFilters_AfterReopen_AnswerFromTheIndexWithoutReadingRecords()
    {
        // Issue 17 keeps payloads on disk: the failure fields must come back into the index at reopen, so the group
        // filter, the dry-run counts and query totals read no record. Every record is damaged under the open store;
        // a filter that read one would throw DeadLetterStoreCorruptedException.
        var ids = new List<string>();
        for (var n = 0; n < 3; n++)
        {
            var entry = await _queue.AddAsync("charge-card", StoreFiles.Marker("group", n), Error("HttpRequestException", "503", FrameworkFrames + (n < 2 ? OrdersFrame : MailFrame)));
            ids.Add(entry.Id);
        }

        var orders = _queue.Get(ids[0])!.FailureGroup!;
        await _queue.ArchiveAsync(ids[2]);
        await _queue.DisposeAsync();
        _queue = Open();

        foreach (var path in Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories).Where(p => p.EndsWith(".log", StringComparison.Ordinal) || p.Contains("snap", StringComparison.Ordinal)))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            for (var n = 0; n < 3; n++)
            {
                var at = bytes.AsSpan().IndexOf(StoreFiles.Marker("group", n));
                if (at >= 0)
                {
                    file.Position = at;
                    file.Write("X"u8);
                }
            }
        }

        var read = () => _queue.Get(ids[0]);
        read.Should().Throw<DeadLetterStoreCorruptedException>("the records are damaged");

        _queue.CountMatching(DeadLetterBulkAction.Archive, new DeadLetterQuery { FailureGroup = orders }).Should().Be(2);
        _queue.CountMatching(DeadLetterBulkAction.Restore, new DeadLetterQuery()).Should().Be(1, "the archived status came back");
        _queue.Query(new DeadLetterQuery { FailureGroup = orders, Skip = 10 }).TotalMatches.Should().Be(2);
        _queue.Query(new DeadLetterQuery { Skip = 10 }).TotalMatches.Should().Be(2, "archived entries are left out of the running-count total");
        _queue.Query(new DeadLetterQuery { Skip = 10, IncludeArchived = true }).TotalMatches.Should().Be(3);
        _queue.Query(new DeadLetterQuery { Status = DeadLetterStatus.Archived, CreatedFrom = _time.GetUtcNow().AddDays(-1), Skip = 10 }).TotalMatches.Should().Be(1);
    }

    private static DeadLetterError Error(string type, string message, string stack) => new()
    {
        Type = type,
        Message = message,
        StackTrace = stack,
    };

    private ValueTask<DeadLetterEntry> Add(string operationType, string type, string message, string frame)
        => _queue.AddAsync(operationType, "{}"u8.ToArray(), Error(type, message, FrameworkFrames + frame));

    private DeadLetterQueue Open(Action<DeadLetterQueueOptions>? configure = null)
    {
        var options = new DeadLetterQueueOptions
        {
            Directory = _dir.Path,
            TimeProvider = _time,
            Randomizer = () => 0,
            MaxAttempts = 4,
        };
        configure?.Invoke(options);
        return DeadLetterQueue.Open(options);
    }

    /// <summary>Runs a change of its own right before the next conditional update, once.</summary>
    private sealed class RacingStore(IDeadLetterStore inner) : IDeadLetterStore
    {
        private int _once;

        public Func<Task>? BeforeNextUpdate { get; set; }

        public int Count => inner.Count;

        public long PayloadBytes => inner.PayloadBytes;

        public long SizeBytes => inner.SizeBytes;

        public ValueTask SaveAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default) => inner.SaveAsync(entries, cancellationToken);

        public async ValueTask<DeadLetterEntry?> TryUpdateAsync(DeadLetterEntry entry, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _once, 1) == 0 && BeforeNextUpdate is { } race)
            {
                await race();
            }

            return await inner.TryUpdateAsync(entry, cancellationToken);
        }

        public ValueTask DeleteAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default) => inner.DeleteAsync(ids, cancellationToken);

        public ValueTask<int> TryDeleteAsync(IReadOnlyList<DeadLetterEntry> entries, CancellationToken cancellationToken = default) => inner.TryDeleteAsync(entries, cancellationToken);

        public DeadLetterEntry? Find(string id) => inner.Find(id);

        public IReadOnlyList<DeadLetterEntry> GetAll() => inner.GetAll();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
