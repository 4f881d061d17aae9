using System.Diagnostics;

namespace Resilience.Tests.TestUtils;

/// <summary>Starts the crash helper (tests/Resilience.DeadLetter.CrashHelper) with its output read by the test, which kills it.</summary>
internal static class CrashHelperProcess
{
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
        => StartApp("Resilience.DeadLetter.CrashHelper.dll", arguments, environment);

    /// <summary>Starts an application copied beside the tests (a referenced executable project) the same way.</summary>
    public static Process StartApp(string assemblyFileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assemblyFileName));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("The crash helper did not start.");
    }
}
