using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

#pragma warning disable CA1001 // xunit disposes it through IAsyncLifetime.DisposeAsync.
public sealed class DeadLetterQueueTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly List<string> _events = [];
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
    public async Task AddAsync_StoresEntryWithSortableIdAndSchedulesFirstAttempt()
    {
        var first = await _queue.AddAsync("charge-card", "{}"u8.ToArray(), new HttpRequestException("503"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var second = await _queue.AddAsync("charge-card", "{}"u8.ToArray(), new HttpRequestException("503"));

        first.Id.Should().HaveLength(26);
        string.CompareOrdinal(first.Id, second.Id).Should().BeNegative();
        first.Status.Should().Be(DeadLetterStatus.Pending);
        first.Error.Type.Should().Be(typeof(HttpRequestException).FullName);
        first.NextAttemptAt.Should().Be(_time.GetUtcNow().AddMilliseconds(-1) + TimeSpan.FromMilliseconds(500), "the first retry waits half the base delay with the pinned jitter");
        // The store reads the payload from disk on each read, so two reads share content, not the same buffer.
        var stored = _queue.Get(first.Id)!;
        stored.Payload.ToArray().Should().Equal(first.Payload.ToArray());
        (stored with { Payload = first.Payload }).Should().Be(first);
        _events.Should().Equal("enqueued " + first.Id, "enqueued " + second.Id);
    }

    [Fact]
    public async Task Processor_HandlerSucceeds_EntryRecovered()
    {
        var seen = new List<string>();
        _queue.RegisterHandler<ChargeRequest>("charge-card", TestJsonContext.Default.ChargeRequest, (payload, attempt, _) =>
        {
            seen.Add($"{payload.OrderId}:{attempt.AttemptNumber}");
            return default;
        });
        var entry = await _queue.AddAsync("charge-card", new ChargeRequest("order-7", 42m), TestJsonContext.Default.ChargeRequest, new TimeoutException());
        _queue.Processor.Start();

        _time.Advance(TimeSpan.FromMilliseconds(499));
        await _queue.Processor.WaitForIdleAsync();
        seen.Should().BeEmpty("the first attempt is due after 500 ms");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await _queue.Processor.WaitForIdleAsync();

        seen.Should().Equal("order-7:1");
        var recovered = _queue.Get(entry.Id)!;
        recovered.Status.Should().Be(DeadLetterStatus.Recovered);
        recovered.AttemptCount.Should().Be(1);
        _events.Should().Contain("recovered " + entry.Id);
    }

    [Fact]
    public async Task Processor_HandlerKeepsFailing_BacksOffExponentiallyThenExhausts()
    {
        var attemptsAt = new List<TimeSpan>();
        var start = _time.GetUtcNow();
        _queue.RegisterHandler("send-email", (_, _) =>
        {
            attemptsAt.Add(_time.GetUtcNow() - start);
            throw new IOException("smtp down");
        });
        var entry = await _queue.AddAsync("send-email", "x"u8.ToArray(), new IOException("smtp down"));
        _queue.Processor.Start();

        for (var i = 0; i < 40; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await _queue.Processor.WaitForIdleAsync();
        }

        // Pinned jitter (50 %): 0.5 s, then +1 s, +2 s, +4 s (base 1 s doubling), 4 attempts in all.
        attemptsAt.Should().Equal(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3.5), TimeSpan.FromSeconds(7.5));
        var exhausted = _queue.Get(entry.Id)!;
        exhausted.Status.Should().Be(DeadLetterStatus.Exhausted);
        exhausted.AttemptCount.Should().Be(4);
        exhausted.Error.Reason.Should().Be(DeadLetterFailureReason.MaxRetriesExceeded);
        exhausted.NextAttemptAt.Should().BeNull();
        _events.Should().Contain("exhausted " + entry.Id);
    }

    [Fact]
    public async Task Processor_PermanentFailure_ExhaustsAtOnce()
    {
        await _queue.DisposeAsync();
        _queue = Open(o => o.IsPermanentFailure = ex => ex is UnauthorizedAccessException);
        _queue.RegisterHandler("charge-card", (_, _) => throw new UnauthorizedAccessException("card blocked"));
        var entry = await _queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException());
        _queue.Processor.Start();

        _time.Advance(TimeSpan.FromSeconds(1));
        await _queue.Processor.WaitForIdleAsync();

        var exhausted = _queue.Get(entry.Id)!;
        exhausted.Status.Should().Be(DeadLetterStatus.Exhausted);
        exhausted.AttemptCount.Should().Be(1);
        exhausted.Error.Reason.Should().Be(DeadLetterFailureReason.NonRetryable);
    }

    [Fact]
    public async Task Processor_UnreadablePayload_ExhaustsAsCorruptedData()
    {
        _queue.RegisterHandler<ChargeRequest>("charge-card", TestJsonContext.Default.ChargeRequest, (_, _, _) => default);
        var entry = await _queue.AddAsync("charge-card", "not json"u8.ToArray(), new IOException());
        _queue.Processor.Start();

        _time.Advance(TimeSpan.FromSeconds(1));
        await _queue.Processor.WaitForIdleAsync();

        _queue.Get(entry.Id)!.Error.Reason.Should().Be(DeadLetterFailureReason.CorruptedData);
    }

    [Fact]
    public async Task Processor_TypeFailsRepeatedly_TypePausedOthersContinue()
    {
        await _queue.DisposeAsync();
        _queue = Open(o =>
        {
            o.PauseAfterConsecutiveFailures = 2;
            o.PauseDuration = TimeSpan.FromMinutes(10);
            o.MaxAttempts = 100;
            o.MaxConcurrentAttempts = 1;
        });
        var emailAttempts = 0;
        var smsAttempts = 0;
        _queue.RegisterHandler("email", (_, _) =>
        {
            emailAttempts++;
            throw new IOException("smtp down");
        });
        _queue.RegisterHandler("sms", (_, _) =>
        {
            smsAttempts++;
            return default;
        });
        for (var i = 0; i < 5; i++)
        {
            await _queue.AddAsync("email", "x"u8.ToArray(), new IOException());
        }

        _queue.Processor.Start();
        _time.Advance(TimeSpan.FromSeconds(1));
        await _queue.Processor.WaitForIdleAsync();
        var sms = await _queue.AddAsync("sms", "x"u8.ToArray(), new IOException());
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await _queue.Processor.WaitForIdleAsync();
        }

        emailAttempts.Should().Be(2, "after two consecutive failures the type pauses for ten minutes");
        _queue.Processor.GetPausedOperationTypes().Should().ContainKey("email");
        smsAttempts.Should().Be(1);
        _queue.Get(sms.Id)!.Status.Should().Be(DeadLetterStatus.Recovered);
    }

    [Fact]
    public async Task ReplayAsync_ExhaustedEntry_RunsAgainWithFreshAttempts()
    {
        var fail = true;
        _queue.RegisterHandler("charge-card", (_, _) => fail ? throw new IOException() : default);
        var entry = await _queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException());
        _queue.Processor.Start();
        for (var i = 0; i < 40; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _queue.Processor.WaitForIdleAsync();
        }

        _queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Exhausted);
        fail = false;

        var replayed = await _queue.ReplayAsync(entry.Id);
        replayed.AttemptCount.Should().Be(0);
        await _queue.Processor.WaitForIdleAsync();

        _queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Recovered);
    }

    [Fact]
    public async Task ReplayAsync_Filter_SpreadsAttemptsAtTheRate()
    {
        _queue.RegisterHandler("charge-card", (_, _) => default);
        for (var i = 0; i < 4; i++)
        {
            await _queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException());
        }

        var count = await _queue.ReplayAsync(new DeadLetterQuery { OperationType = "charge-card" }, maxPerSecond: 2);

        count.Should().Be(4);
        var now = _time.GetUtcNow();
        _queue.Query().Entries.Select(e => e.NextAttemptAt - now).Should().Equal(
            TimeSpan.Zero, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task BadInput_EachGetsASpecificException()
    {
        var entry = await _queue.AddAsync("no-handler", "x"u8.ToArray(), new IOException());

        await _queue.Invoking(q => q.ReplayAsync(entry.Id).AsTask()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*no-handler*");
        await _queue.Invoking(q => q.ReplayAsync("01UNKNOWN").AsTask()).Should().ThrowAsync<KeyNotFoundException>();
        await _queue.Invoking(q => q.ReplayAsync(null!).AsTask()).Should().ThrowAsync<ArgumentException>();
        await _queue.Invoking(q => q.ReplayAsync(string.Empty).AsTask()).Should().ThrowAsync<ArgumentException>();
        await _queue.Invoking(q => q.DiscardAsync("missing").AsTask()).Should().ThrowAsync<KeyNotFoundException>();
        _queue.Invoking(q => q.Get(string.Empty)).Should().Throw<ArgumentException>();
        await _queue.Invoking(q => q.AddAsync(string.Empty, "x"u8.ToArray(), new IOException()).AsTask()).Should().ThrowAsync<ArgumentException>();
        await _queue.Invoking(q => q.AddAsync("t", new byte[2048], new IOException()).AsTask())
            .Should().ThrowAsync<DeadLetterRejectedException>().Where(e => e.Reason == DeadLetterFailureReason.Oversized);

        (await _queue.AddAsync("still-usable", "x"u8.ToArray(), new IOException())).Should().NotBeNull();
    }

    [Fact]
    public async Task Statistics_AfterRestart_EqualToBefore()
    {
        _queue.RegisterHandler("ok", (_, _) => default);
        _queue.RegisterHandler("bad", (_, _) => throw new IOException());
        await _queue.AddAsync("ok", "x"u8.ToArray(), new IOException());
        await _queue.AddAsync("bad", "xy"u8.ToArray(), new IOException());
        var discard = await _queue.AddAsync("bad", "xyz"u8.ToArray(), new IOException());
        await _queue.DiscardAsync(discard.Id);
        _queue.Processor.Start();
        for (var i = 0; i < 30; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _queue.Processor.WaitForIdleAsync();
        }

        var before = _queue.GetStatistics();
        await _queue.DisposeAsync();
        _queue = Open();
        var after = _queue.GetStatistics();

        before.TotalFailed.Should().Be(3);
        before.Recovered.Should().Be(1);
        before.Exhausted.Should().Be(1);
        before.Discarded.Should().Be(1);
        before.TotalRetried.Should().Be(5);
        after.Should().BeEquivalentTo(before);
    }

    [Fact]
    public async Task Processor_AttemptInterruptedByCrash_RetriedAfterRestart()
    {
        var entry = await _queue.AddAsync("charge-card", "x"u8.ToArray(), new IOException());
        await _queue.Store.SaveAsync([_queue.Get(entry.Id)! with { Status = DeadLetterStatus.Retrying, AttemptCount = 1 }]);
        await _queue.DisposeAsync();

        _queue = Open();
        var attempts = new List<int>();
        _queue.RegisterHandler("charge-card", (attempt, _) =>
        {
            attempts.Add(attempt.AttemptNumber);
            return default;
        });
        _queue.Processor.Start();
        await _queue.Processor.WaitForIdleAsync();

        attempts.Should().Equal(2);
        _queue.Get(entry.Id)!.Status.Should().Be(DeadLetterStatus.Recovered);
    }

    [Fact]
    public async Task AddAsync_QueueFull_RejectNewOrDropOldestExhausted()
    {
        await _queue.DisposeAsync();
        _queue = Open(o => o.MaxEntries = 2);
        await _queue.AddAsync("t", "x"u8.ToArray(), new IOException());
        await _queue.AddAsync("t", "x"u8.ToArray(), new IOException());
        await _queue.Invoking(q => q.AddAsync("t", "x"u8.ToArray(), new IOException()).AsTask()).Should().ThrowAsync<DeadLetterQueueFullException>();
        await _queue.DisposeAsync();

        _queue = Open(o =>
        {
            o.MaxEntries = 2;
            o.OverflowPolicy = OverflowPolicy.DropOldestExhausted;
        });
        var oldest = _queue.Query().Entries[0];
        await _queue.Store.SaveAsync([oldest with { Status = DeadLetterStatus.Exhausted }]);
        var added = await _queue.AddAsync("t", "x"u8.ToArray(), new IOException());

        _queue.Get(oldest.Id).Should().BeNull();
        _queue.Get(added.Id).Should().NotBeNull();
        _queue.Store.Count.Should().Be(2);
    }

    [Fact]
    public async Task AddAsync_Redact_AppliesBeforeAnythingReachesDisk()
    {
        await _queue.DisposeAsync();
        _queue = Open(o => o.Redact = text => text.Replace("4111-1111", "****", StringComparison.Ordinal));
        await _queue.AddAsync("charge", "x"u8.ToArray(), new IOException("card 4111-1111 declined"), context: new Dictionary<string, string> { ["card"] = "4111-1111" });
        await _queue.DisposeAsync();

        var bytes = Directory.GetFiles(_dir.Path, "seg-*.log").SelectMany(File.ReadAllBytes).ToArray();
        Encoding.UTF8.GetString(bytes).Should().NotContain("4111-1111").And.Contain("card **** declined");
        _queue = Open();
    }

    [Fact]
    public async Task QueryAndPurge_FilterByStatusTypeAndTime()
    {
        for (var i = 0; i < 5; i++)
        {
            await _queue.AddAsync(i % 2 == 0 ? "a" : "b", "x"u8.ToArray(), new IOException());
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        var page = _queue.Query(new DeadLetterQuery { OperationType = "a", Skip = 1, Take = 1 });
        page.TotalMatches.Should().Be(3);
        page.Entries.Should().ContainSingle();
        _queue.Query(new DeadLetterQuery { CreatedFrom = _time.GetUtcNow().AddMinutes(-2) }).TotalMatches.Should().Be(2);

        (await _queue.PurgeAsync(new DeadLetterQuery { OperationType = "b" })).Should().Be(2);
        _queue.Query().TotalMatches.Should().Be(3);
    }

    private DeadLetterQueue Open(Action<DeadLetterQueueOptions>? configure = null)
    {
        var options = new DeadLetterQueueOptions
        {
            Directory = _dir.Path,
            TimeProvider = _time,
            Randomizer = () => 0,
            MaxAttempts = 4,
            MaxPayloadBytes = 1024,
            OnEnqueued = e => Record("enqueued " + e.Id),
            OnRecovered = e => Record("recovered " + e.Id),
            OnExhausted = e => Record("exhausted " + e.Id),
        };
        configure?.Invoke(options);
        return DeadLetterQueue.Open(options);
    }

    private ValueTask Record(string text)
    {
        lock (_events)
        {
            _events.Add(text);
        }

        return default;
    }
}

#pragma warning restore CA1001

public sealed record ChargeRequest(string OrderId, decimal Amount);

[JsonSerializable(typeof(ChargeRequest))]
internal sealed partial class TestJsonContext : JsonSerializerContext
{
}
