using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

/// <summary>
/// Regression tests for the queue defects of issue 14: operator actions racing an in-flight attempt (6), a cancelled
/// add (9), attempts across a crash (13) and error text limits (14). Handlers block on a task the test completes, so
/// "during an attempt" is exact; time comes from a <see cref="FakeTimeProvider"/>.
/// </summary>
#pragma warning disable CA1001 // xunit disposes it through IAsyncLifetime.DisposeAsync.
public sealed class QueueRaceTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private DeadLetterQueue? _queue;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_queue is not null)
        {
            await _queue.DisposeAsync();
        }

        _dir.Dispose();
    }

    // Defect 6: the attempt's outcome was saved over the operator's discard (Pending again; the handler ran 5 times).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DiscardAsync_DuringAnAttempt_EntryStaysDiscardedAndHandlerNeverRunsAgain(bool handlerFails)
    {
        var queue = Open(maxAttempts: 10);
        var attempt = new BlockingHandler(handlerFails);
        queue.RegisterHandler("charge-card", attempt.RunAsync);
        var entry = await queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException("503"));
        queue.Processor.Start();

        _time.Advance(TimeSpan.FromSeconds(1));
        await attempt.FirstEntered.WaitAsync(Bound);
        await queue.DiscardAsync(entry.Id);
        attempt.ReleaseFirst();
        await AdvanceWellPastAllBackoffsAsync(queue);

        attempt.Runs.Should().Be(1, "a discarded entry's handler never runs again");
        queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Discarded, "the operator's discard wins over the attempt that was running");
        await queue.DisposeAsync();
        _queue = queue = Open(maxAttempts: 10);
        queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Discarded, "and stays so after a reopen");
    }

    // Defect 6: the attempt's outcome brought a purged entry back (as Exhausted).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PurgeAsync_DuringAnAttempt_EntryStaysGoneAlsoAfterReopen(bool handlerFails)
    {
        var queue = Open(maxAttempts: 1);
        var attempt = new BlockingHandler(handlerFails);
        queue.RegisterHandler("charge-card", attempt.RunAsync);
        var entry = await queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException("503"));
        queue.Processor.Start();

        _time.Advance(TimeSpan.FromSeconds(1));
        await attempt.FirstEntered.WaitAsync(Bound);
        (await queue.PurgeAsync(new DeadLetterQuery())).Should().Be(1);
        attempt.ReleaseFirst();
        await AdvanceWellPastAllBackoffsAsync(queue);

        queue.Get(entry.Id).Should().BeNull($"a purge is never undone by the attempt that was running (it came back {queue.Get(entry.Id)?.Status})");
        attempt.Runs.Should().Be(1);
        await queue.DisposeAsync();
        _queue = queue = Open(maxAttempts: 1);
        queue.Get(entry.Id).Should().BeNull("the purge was acknowledged, so a reopen must not bring the entry back");
    }

    // Defect 9: an add whose caller stopped waiting was stored but never scheduled.
    [Fact]
    public async Task AddAsync_CancelledWhileTheWriteIsQueued_WriteThatHappenedIsScheduled()
    {
        var files = new GatedFileSystem();
        await using var store = FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _dir.Path, TimeProvider = _time }, files);
        await using var queue = DeadLetterQueue.Create(store, Options(maxAttempts: 4));
        var runs = 0;
        queue.RegisterHandler("cancelled-op", (_, _) =>
        {
            Interlocked.Increment(ref runs);
            return default;
        });
        queue.Processor.Start();

        var gate = files.ArmFlushGate();
        var blocker = Task.Run(() => store.SaveAsync([StoreFiles.Entry("blocker", 1)]).AsTask());
        await gate.Entered.WaitAsync(Bound);
        using var cancel = new CancellationTokenSource();
        var add = queue.AddAsync("cancelled-op", "x"u8.ToArray(), new IOException(), cancellationToken: cancel.Token).AsTask();
        await cancel.CancelAsync();
        await add.Invoking(a => a).Should().ThrowAsync<OperationCanceledException>();
        gate.Release();
        await blocker.WaitAsync(Bound);

        // A write queued after the cancelled one completes after it (log order), so the store has settled.
        await store.SaveAsync([StoreFiles.Entry("after", 1)]);
        var stored = store.GetAll().Where(e => e.OperationType == "cancelled-op").ToList();
        await AdvanceWellPastAllBackoffsAsync(queue);

        stored.Should().HaveCount(1, "the write was already queued behind the blocked flush when the caller stopped waiting");
        runs.Should().Be(1, "an entry that was stored is scheduled, whether or not its caller waited");
        queue.Get(stored[0].Id)!.Status.Should().Be(DeadLetterStatus.Recovered);
    }

    // Defect 13: an entry whose attempt a crash interrupted reopened as Retrying (the docs say Pending).
    [Fact]
    public async Task Open_EntryLeftRetryingByACrash_ComesBackPending()
    {
        var queue = Open(maxAttempts: 4);
        var entry = await queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException());
        await queue.Store.SaveAsync([queue.Get(entry.Id)! with { Status = DeadLetterStatus.Retrying, AttemptCount = 1 }]);
        await queue.DisposeAsync();

        _queue = queue = Open(maxAttempts: 4);

        var reopened = queue.Get(entry.Id)!;
        reopened.Status.Should().Be(DeadLetterStatus.Pending, "an interrupted attempt goes back in line when the queue opens");
        reopened.AttemptCount.Should().Be(1, "the interrupted attempt counts");
    }

    // Defect 13: an interrupted attempt counts, and MaxAttempts holds (3 entries ran a 4th attempt with MaxAttempts 3).
    [Fact]
    public async Task Processor_InterruptedLastAttempt_NoExtraAttemptAndEntryExhausted()
    {
        var queue = Open(maxAttempts: 3);
        var entry = await queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException());
        await queue.Store.SaveAsync([queue.Get(entry.Id)! with { Status = DeadLetterStatus.Retrying, AttemptCount = 3 }]);
        await queue.DisposeAsync();

        _queue = queue = Open(maxAttempts: 3);
        var runs = 0;
        queue.RegisterHandler("charge-card", (_, _) =>
        {
            Interlocked.Increment(ref runs);
            return default;
        });
        queue.Processor.Start();
        await AdvanceWellPastAllBackoffsAsync(queue);

        runs.Should().Be(0, "the third attempt already started before the crash; MaxAttempts is 3");
        queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Exhausted);
        queue.Get(entry.Id)!.AttemptCount.Should().Be(3);
    }

    // Defect 14: the 4,096-character cut split a surrogate pair (U+D83D returned, U+FFFD after reopen).
    [Fact]
    public async Task AddAsync_ErrorTextCutAtTheLimit_NeverSplitsASurrogatePair()
    {
        var queue = Open(maxAttempts: 4);
        var error = new DeadLetterError
        {
            Type = "System.IO.IOException",
            Message = new string('a', 4095) + "\U0001F600 and more",
            StackTrace = new string('b', (16 * 1024) - 1) + "\U0001F600 and more",
        };

        var added = await queue.AddAsync("charge-card", "x"u8.ToArray(), error);

        added.Error.Message.Length.Should().BeLessThanOrEqualTo(4096);
        StoreFiles.IsWellFormed(added.Error.Message).Should().BeTrue("the cut must not leave a lone high surrogate in the message");
        StoreFiles.IsWellFormed(added.Error.StackTrace!).Should().BeTrue("the cut must not leave a lone high surrogate in the stack trace");
        queue.Get(added.Id)!.Error.Should().Be(added.Error);
        await queue.DisposeAsync();

        _queue = queue = Open(maxAttempts: 4);
        queue.Get(added.Id)!.Error.Should().Be(added.Error, "the error text is identical before and after a reopen");
    }

    // Defect 14: a maximum payload with a maximum-length non-ASCII error was refused as Oversized (undocumented limit).
    [Fact]
    public async Task AddAsync_MaxPayloadWithMaxLengthNonAsciiErrorText_IsAcceptedAndReopens()
    {
        const int MaxPayload = 1024 * 1024;
        var queue = Open(maxAttempts: 4, maxPayloadBytes: MaxPayload);
        var payload = new byte[MaxPayload];
        new Random(14).NextBytes(payload);

        // U+20AC is three bytes in UTF-8, the most per UTF-16 character; the queue cuts both texts to their limits.
        var error = new DeadLetterError { Type = "System.IO.IOException", Message = new string('\u20AC', 5000), StackTrace = new string('\u20AC', 20_000) };
        var added = await queue.AddAsync("charge-card", payload, error);
        await queue.DisposeAsync();

        _queue = queue = Open(maxAttempts: 4, maxPayloadBytes: MaxPayload);
        queue.Get(added.Id)!.ShouldMatch(added);
    }

    private DeadLetterQueue Open(int maxAttempts, int maxPayloadBytes = 1024)
    {
        var options = Options(maxAttempts, maxPayloadBytes);
        options.Directory = _dir.Path;
        _queue = DeadLetterQueue.Open(options);
        return _queue;
    }

    private DeadLetterQueueOptions Options(int maxAttempts, int maxPayloadBytes = 1024) => new()
    {
        TimeProvider = _time,
        Randomizer = () => 0,
        MaxAttempts = maxAttempts,
        MaxPayloadBytes = maxPayloadBytes,
    };

    private async Task AdvanceWellPastAllBackoffsAsync(DeadLetterQueue queue)
    {
        // Ten attempts with backoff from 1 s doubling take under 9 minutes; an hour is well past all of them.
        await queue.Processor.WaitForIdleAsync().WaitAsync(Bound);
        for (var i = 0; i < 60; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await queue.Processor.WaitForIdleAsync().WaitAsync(Bound);
        }
    }

    /// <summary>A handler whose first run waits until the test releases it; later runs return (or fail) at once.</summary>
    private sealed class BlockingHandler(bool fails)
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public Task FirstEntered => _entered.Task;

        public int Runs => Volatile.Read(ref _runs);

        public void ReleaseFirst() => _release.TrySetResult();

        public async ValueTask RunAsync(DeadLetterAttempt attempt, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _runs) == 1)
            {
                _entered.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            if (fails)
            {
                throw new IOException("still down");
            }
        }
    }
}
#pragma warning restore CA1001
