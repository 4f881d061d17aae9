namespace Resilience.Packaging.Tests;

/// <summary>Runs the <c>dotnet</c> CLI as a newcomer would, isolated from the test host's own build environment.</summary>
internal static class DotNetCli
{
    public static Task<string> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var effective = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            // Build servers outlive the command and would hold the redirected output open.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["UseSharedCompilation"] = "false",
        };

        // `dotnet test` exports MSBuild variables into the test host; a nested build must find its own SDK.
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && !effective.ContainsKey(k)))
        {
            effective[key] = null;
        }

        foreach (var (key, value) in environment)
        {
            effective[key] = value;
        }

        return ChildProcess.RunAsync("dotnet", arguments, workingDirectory, effective, TimeSpan.FromMinutes(8));
    }
}
