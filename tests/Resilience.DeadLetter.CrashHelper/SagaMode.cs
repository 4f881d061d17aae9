using System.Text.Json.Serialization;
using Resilience.Compensation;

namespace Resilience.DeadLetter.CrashHelper;

/// <summary>
/// The kill -9 test's saga workload: operations register three named compensations (journaled), then either complete
/// or roll back. Prints "REG op index" after each durable registration, "COMPLETING op" before and "DONE op" after a
/// durable completion,
/// "RAN op index" when a compensation runs and "ROLLED op" after a rollback.
/// </summary>
public static class SagaMode
{
    public static async Task<int> RunAsync(string directory)
    {
        // The deterministic crash-point workload (CompensationCrashPointTests) is selected by environment, so the
        // command line of the random-kill test stays as it is.
        if (Environment.GetEnvironmentVariable("RESILIENCE_SAGA_CRASH_AT") is { } crashAt)
        {
            return await CrashPointSaga.RunAsync(directory, Environment.GetEnvironmentVariable("RESILIENCE_SAGA_MODE") ?? "workload", int.Parse(crashAt, System.Globalization.CultureInfo.InvariantCulture));
        }

        await using var manager = new CompensationManager(new CompensationOptions { JournalDirectory = directory, MaxAttempts = 1 });
        manager.RegisterHandler("undo", SagaJsonContext.Default.SagaStep, static (step, _) =>
        {
            Console.WriteLine($"RAN {step.Operation} {step.Index}");
            return default;
        });
        Console.WriteLine("READY");

        var runId = Guid.NewGuid().ToString("N")[..8];
        var random = new Random();
        for (var n = 0; ; n++)
        {
            var operation = $"{runId}-{n:D6}";
            var scope = manager.Begin(operation);
            for (var i = 0; i < 3; i++)
            {
                await scope.RegisterAsync("undo", new SagaStep(operation, i));
                Console.WriteLine($"REG {operation} {i}");
            }

            if (random.Next(2) == 0)
            {
                // Between these two lines the outcome is unknown to the test: completed or not, both are correct.
                Console.WriteLine($"COMPLETING {operation}");
                await scope.CompleteAsync();
                Console.WriteLine($"DONE {operation}");
            }
            else
            {
                await scope.CompensateAsync();
                Console.WriteLine($"ROLLED {operation}");
            }

            await scope.DisposeAsync();
        }
    }
}

/// <summary>The state of one saga step.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="Index">The step's index.</param>
public sealed record SagaStep(string Operation, int Index);

/// <summary>JSON metadata for <see cref="SagaStep"/>.</summary>
[JsonSerializable(typeof(SagaStep))]
public sealed partial class SagaJsonContext : JsonSerializerContext
{
}
