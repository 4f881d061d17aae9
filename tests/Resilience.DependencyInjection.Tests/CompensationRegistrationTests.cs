using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Resilience.Compensation;
using Resilience.DeadLetter;

namespace Resilience.DependencyInjection.Tests;

public sealed class CompensationRegistrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "resilience-di-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _ran = [];

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task AddCompensationManager_RunsConfigureOnce()
    {
        var calls = 0;
        var services = new ServiceCollection().AddCompensationManager(options =>
        {
            calls++;
            options.JournalDirectory = Path.Combine(_directory, "journal");
        });
        await using var provider = services.BuildServiceProvider();

        _ = provider.GetRequiredService<CompensationManager>();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        calls.Should().Be(1);
    }

    [Fact]
    public async Task ParkedRollback_HostRestart_StartupRecoveryAndProcessorRunEachStepOnce()
    {
        string parkedId;
        await using (var first = Build(failPayment: true, gate: null))
        {
            var scope = first.GetRequiredService<CompensationManager>().Begin("order-7");
            await scope.RegisterAsync("undo", new Seat("inventory"));
            await scope.RegisterAsync("undo", new Seat("payment"));
            await scope.RegisterAsync("undo", new Seat("shipment"));
            parkedId = (await scope.CompensateAsync()).ParkedEntryId!;
            parkedId.Should().NotBeNull();
        }

        _ran.Should().Equal("shipment");
        var gate = new PaymentGate();
        await using var second = Build(failPayment: false, gate);
        _time.Advance(TimeSpan.FromHours(2));
        var hosted = second.GetServices<IHostedService>().ToList();
        var queue = second.GetRequiredService<DeadLetterQueue>();

        // As the host does: every StartingAsync, then every StartAsync in registration order.
        var startup = Task.Run(async () =>
        {
            foreach (var service in hosted.OfType<IHostedLifecycleService>())
            {
                await service.StartingAsync(CancellationToken.None);
            }

            foreach (var service in hosted)
            {
                await service.StartAsync(CancellationToken.None);
            }
        });
        var processor = Task.Run(async () =>
        {
            await startup;
            await queue.Processor.WaitForIdleAsync();
        });

        // Whoever runs payment first is held until the other runner enters payment too (the bug) or every other
        // contender is done; the bound only stops a broken run from hanging.
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await gate.Entered.WaitAsync(bound.Token);
            await Task.WhenAny(Task.WhenAny(startup, processor), gate.SecondEntry).WaitAsync(bound.Token);
            gate.Open();
            await Task.WhenAll(startup, processor).WaitAsync(bound.Token);
        }

        await queue.Processor.WaitForIdleAsync();

        _ran.Should().Equal("shipment", "payment", "inventory");
        queue.Get(parkedId)!.Status.Should().Be(DeadLetterStatus.Recovered);
    }

    private ServiceProvider Build(bool failPayment, PaymentGate? gate) => new ServiceCollection()
        .AddSingleton<TimeProvider>(_time)
        .AddDeadLetterQueue(options =>
        {
            options.Directory = Path.Combine(_directory, "dlq");
            options.Randomizer = () => 0;
        })
        .AddCompensationManager(
            options =>
            {
                options.JournalDirectory = Path.Combine(_directory, "journal");
                options.FailurePolicy = CompensationFailurePolicy.StopAndPark;
                options.MaxAttempts = 1;
            },
            (manager, _) => manager.RegisterHandler("undo", SeatJsonContext.Default.Seat, async (step, _) =>
            {
                if (step.Number == "payment")
                {
                    if (failPayment)
                    {
                        throw new IOException("gateway down");
                    }

                    if (gate is not null)
                    {
                        await gate.EnterAsync();
                    }
                }

                lock (_ran)
                {
                    _ran.Add(step.Number);
                }
            }))
        .BuildServiceProvider();

    private sealed class PaymentGate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _second = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _entries;

        public Task Entered => _entered.Task;

        public Task SecondEntry => _second.Task;

        public Task EnterAsync()
        {
            (Interlocked.Increment(ref _entries) == 1 ? _entered : _second).TrySetResult();
            return _open.Task;
        }

        public void Open() => _open.TrySetResult();
    }
}
