using Microsoft.Extensions.Time.Testing;
using Resilience.DeadLetter;
using Resilience.Recovery;

namespace Resilience.Tests.DeadLetter;

/// <summary>An operator or a recovery workflow pauses an operation type's retries while its dependency is down.</summary>
public sealed class OperationTypePauseTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private DeadLetterQueue _queue = null!;
    private int _emailAttempts;
    private int _smsAttempts;

    public async Task InitializeAsync()
    {
        _queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { TimeProvider = _time, Randomizer = () => 0, MaxAttempts = 10 });
        _queue.RegisterHandler("email", (_, _) => { _emailAttempts++; return default; });
        _queue.RegisterHandler("sms", (_, _) => { _smsAttempts++; return default; });
        await _queue.AddAsync("email", "x"u8.ToArray(), new IOException("smtp down"));
        await _queue.AddAsync("sms", "x"u8.ToArray(), new IOException("gateway down"));
        _queue.Processor.Start();
    }

    public async Task DisposeAsync() => await _queue.DisposeAsync();

    [Fact]
    public async Task PausedType_IsNotRetriedUntilThePauseEnds_OthersAre()
    {
        _queue.Processor.PauseOperationType("email", TimeSpan.FromMinutes(10));

        await AdvanceAsync(TimeSpan.FromMinutes(9));
        _emailAttempts.Should().Be(0);
        _smsAttempts.Should().Be(1);
        _queue.Processor.GetPausedOperationTypes().Should().ContainKey("email").WhoseValue.Should().Be(_time.GetUtcNow() + TimeSpan.FromMinutes(1));

        await AdvanceAsync(TimeSpan.FromMinutes(1));
        _emailAttempts.Should().Be(1, "the pause ended");
    }

    [Fact]
    public async Task ResumedType_IsRetriedAtOnce()
    {
        _queue.Processor.PauseOperationType("email", TimeSpan.FromHours(1));
        await AdvanceAsync(TimeSpan.FromMinutes(5));
        _emailAttempts.Should().Be(0);

        _queue.Processor.ResumeOperationType("email").Should().BeTrue();
        await _queue.Processor.WaitForIdleAsync();

        _emailAttempts.Should().Be(1, "its entry was due long ago");
        _queue.Processor.GetPausedOperationTypes().Should().BeEmpty();
        _queue.Processor.ResumeOperationType("email").Should().BeFalse("it is not paused any more");
    }

    [Fact]
    public async Task RecoverySteps_PauseAndResume()
    {
        var workflow = new RecoveryWorkflowBuilder("smtp-outage") { TimeProvider = _time }
            .Step("pause email retries", RecoverySteps.PauseDeadLetters(_queue, "email", TimeSpan.FromHours(1)))
            .Build();
        await workflow.RunAsync(RecoveryTrigger.Manual);
        await AdvanceAsync(TimeSpan.FromMinutes(5));
        _emailAttempts.Should().Be(0);

        var resume = new RecoveryWorkflowBuilder("smtp-back") { TimeProvider = _time }
            .Step("resume email retries", RecoverySteps.ResumeDeadLetters(_queue, "email"))
            .Build();
        await resume.RunAsync(RecoveryTrigger.Manual);
        await _queue.Processor.WaitForIdleAsync();

        _emailAttempts.Should().Be(1);
    }

    [Fact]
    public void Pause_BadArguments_AreRejectedNamingThem()
    {
        var processor = _queue.Processor;

        FluentActions.Invoking(() => processor.PauseOperationType("", TimeSpan.FromMinutes(1))).Should().Throw<ArgumentException>().WithParameterName("operationType");
        FluentActions.Invoking(() => processor.PauseOperationType("email", TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("duration");
        FluentActions.Invoking(() => processor.PauseOperationType("email", TimeSpan.FromDays(366))).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("duration");
    }

    private async Task AdvanceAsync(TimeSpan by)
    {
        for (var step = TimeSpan.Zero; step < by; step += TimeSpan.FromSeconds(30))
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            await _queue.Processor.WaitForIdleAsync();
        }
    }
}
