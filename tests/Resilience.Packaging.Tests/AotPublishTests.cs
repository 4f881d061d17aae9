using System.Runtime.InteropServices;

namespace Resilience.Packaging.Tests;

/// <summary>
/// Publishes the console tour with native AOT and runs it: the core library claims <c>IsAotCompatible</c>, and only
/// the AOT compiler itself finds some breaks of that claim (an unbounded generic instantiation, for one), which the
/// analyzers of an ordinary build cannot see.
/// </summary>
[Collection(nameof(OneBuildAtATime))]
public sealed class AotPublishTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "resilience-aot-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task Console_tour_publishes_with_native_aot_without_warnings_and_runs()
    {
        var repository = Repository.Root;
        var output = Path.Combine(_root, "out");

        // Its own artifacts folder: the publish restores for a runtime identifier, which must not rewrite the
        // obj/ folders the rest of the suite was built from.
        var log = await DotNetCli.RunAsync(repository, new Dictionary<string, string?>(),
            "publish", Path.Combine("samples", "Resilience.Samples.Console", "Resilience.Samples.Console.csproj"),
            "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "-p:PublishAot=true",
            "--artifacts-path", Path.Combine(_root, "artifacts"), "-o", output,
            "-warnaserror", "-nodeReuse:false", "--disable-build-servers");

        log.Should().NotMatchRegex(@"(?i)\bwarning (IL|CS)\d+", "a trimming or AOT warning means the native build may misbehave");
        var executable = Path.Combine(output, "Resilience.Samples.Console");
        File.Exists(executable).Should().BeTrue("native AOT publishes a single executable");

        var tour = await ChildProcess.RunAsync(executable, [], output, new Dictionary<string, string?>(), TimeSpan.FromMinutes(2));
        tour.Should().Contain("Tour complete.");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing a passed test over.
        }
    }
}
