using System.Diagnostics;
using System.Globalization;

namespace Resilience.Samples.StreamConsumer;

/// <summary>
/// A test hook: with RESILIENCE_CONSUMER_CRASH_AT=n set, the process kills itself (SIGKILL, no cleanup) at the n-th
/// point it reaches (after a sink write, after a dead letter add, after an event is marked done, before and after a
/// checkpoint commit). The kill -9 test sets it from a seeded random number; without it, points cost a counter.
/// </summary>
internal static class CrashPoints
{
    private static readonly int CrashAt = int.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_CONSUMER_CRASH_AT"), CultureInfo.InvariantCulture, out var n) ? n : 0;
    private static int _reached;

    public static void Reach(string name)
    {
        if (CrashAt <= 0 || Interlocked.Increment(ref _reached) != CrashAt)
        {
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CRASH {CrashAt} {name}"));
        Console.Out.Flush();
        using var self = Process.GetCurrentProcess();
        self.Kill();

        // The kill is asynchronous: block until it lands so nothing after the crash point runs.
        using var never = new ManualResetEventSlim();
        never.Wait();
    }
}
