using System.Diagnostics;
using System.Globalization;
using Resilience.Compensation;

namespace Resilience.DeadLetter.CrashHelper;

/// <summary>
/// The deterministic kill -9 workload: a fixed sequence of numbered crash points, and the process kills itself
/// (SIGKILL, no cleanup) at the one named by RESILIENCE_SAGA_CRASH_AT, so a test can loop over every point.
/// </summary>
/// <remarks>
/// Mode "workload": operation A registers 5 named steps and completes with the synchronous Complete(); operation B
/// registers 5 named steps and rolls back with StopAndPark: step 2 fails once, the rest is parked, then a manual
/// ResumeAsync finishes it. Mode "resume": recovery, then ResumeAsync of every parked operation. Prints
/// "REG op i", "COMPLETING op", "DONE op", "ATTEMPT op" (start of a rollback attempt), "RAN op i" (a step's effect
/// happened), "CRASH point", and "END" when no crash point was reached.
/// </remarks>
public static class CrashPointSaga
{
    public const int Steps = 5;
    private static int _crashAt;
    private static int _reached;
    private static bool _failStep2 = true;

    public static async Task<int> RunAsync(string directory, string mode, int crashAt)
    {
        _crashAt = crashAt;
        await using var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = directory + "-dlq" });
        await using var manager = new CompensationManager(new CompensationOptions
        {
            JournalDirectory = directory,
            MaxAttempts = 1,
            FailurePolicy = CompensationFailurePolicy.StopAndPark,
            DeadLetterQueue = queue,
        });
        manager.RegisterHandler("undo", SagaJsonContext.Default.SagaStep, static (step, _) =>
        {
            Point($"before {step.Operation} {step.Index}");
            if (step.Operation == "B" && step.Index == 2 && _failStep2)
            {
                _failStep2 = false;
                throw new IOException("simulated failure of B 2");
            }

            Console.WriteLine($"RAN {step.Operation} {step.Index}");
            Point($"after {step.Operation} {step.Index}");
            return default;
        });
        Console.WriteLine("READY");

        if (mode == "resume")
        {
            _failStep2 = false;
            foreach (var result in await manager.RecoverAsync())
            {
                if (result.ParkedEntryId is not null)
                {
                    Console.WriteLine($"ATTEMPT {result.OperationId}");
                    await manager.ResumeAsync(result.OperationId);
                    Point($"resumed {result.OperationId}");
                }
            }

            Console.WriteLine("END");
            return 0;
        }

        var a = manager.Begin("A");
        for (var i = 0; i < Steps; i++)
        {
            await a.RegisterAsync("undo", new SagaStep("A", i));
            Console.WriteLine($"REG A {i}");
            Point($"registered A {i}");
        }

        Console.WriteLine("COMPLETING A");
        Point("before complete A");
        a.Complete();
        Console.WriteLine("DONE A");
        Point("after complete A");
        await a.DisposeAsync();

        var b = manager.Begin("B");
        for (var i = 0; i < Steps; i++)
        {
            await b.RegisterAsync("undo", new SagaStep("B", i));
            Console.WriteLine($"REG B {i}");
            Point($"registered B {i}");
        }

        Console.WriteLine("ATTEMPT B");
        var rolled = await b.CompensateAsync();
        Point("parked B");
        if (rolled.ParkedEntryId is not null)
        {
            Console.WriteLine("ATTEMPT B");
            await manager.ResumeAsync("B");
            Point("resumed B");
        }

        Console.WriteLine("END");
        return 0;
    }

    private static void Point(string name)
    {
        if (++_reached == _crashAt)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CRASH {_reached} {name}"));
            Console.Out.Flush();

            // SIGKILL on ourselves: no finally blocks, no flush of anything the journal did not already make durable.
            using var self = Process.GetCurrentProcess();
            self.Kill();

            // The kill is asynchronous: block until it lands so nothing after the crash point runs.
            using var never = new ManualResetEventSlim();
            never.Wait();
        }
    }
}
