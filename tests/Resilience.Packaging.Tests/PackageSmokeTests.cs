using System.Reflection;

namespace Resilience.Packaging.Tests;

/// <summary>
/// Packs the three libraries and consumes them the way a newcomer does: a fresh console project that restores them
/// from the pack folder, builds with warnings as errors, and runs a retry, a dead letter round trip and a DI
/// registration.
/// </summary>
[Collection(nameof(OneBuildAtATime))]
public sealed class PackageSmokeTests : IDisposable
{
    private static readonly string[] Libraries = ["Resilience", "Resilience.DependencyInjection", "Resilience.Http"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "resilience-smoke-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task Packed_libraries_restore_build_and_run_in_a_fresh_console_project()
    {
        var repository = Repository.Root;
        var configuration = typeof(PackageSmokeTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        // A version no feed can already hold, so only this run's packages can satisfy the reference.
        var version = "1.0.0-smoke" + Guid.NewGuid().ToString("N")[..12];
        var packFolder = Directory.CreateDirectory(Path.Combine(_root, "packages")).FullName;
        var appFolder = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        var noEnvironment = new Dictionary<string, string?>();

        foreach (var library in Libraries)
        {
            await DotNetCli.RunAsync(repository, noEnvironment,
                "pack", Path.Combine("src", library, library + ".csproj"), "--no-build", "-c", configuration,
                "-o", packFolder, "-p:PackageVersion=" + version, "-nodeReuse:false");
        }

        foreach (var library in Libraries)
        {
            var package = Path.Combine(packFolder, $"{library}.{version}.nupkg");
            File.Exists(package).Should().BeTrue($"dotnet pack should produce {package}");
            File.Exists(Path.ChangeExtension(package, ".snupkg")).Should().BeTrue("symbols ship beside each package");
            AssertPackageContents(package, library);
        }

        var dependencyFeed = await GlobalPackagesFolderAsync(repository);
        await File.WriteAllTextAsync(Path.Combine(appFolder, "nuget.config"),
            ConsumerApp.NuGetConfig(packFolder, dependencyFeed, Path.Combine(_root, "restored")));
        await File.WriteAllTextAsync(Path.Combine(appFolder, "SmokeApp.csproj"), ConsumerApp.Project(version));
        await File.WriteAllTextAsync(Path.Combine(appFolder, "Program.cs"), ConsumerApp.Program);

        // NUGET_PACKAGES would override the config's globalPackagesFolder and let a cached copy answer.
        var isolated = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = null };
        await DotNetCli.RunAsync(appFolder, isolated, "build", "-c", "Release", "-nodeReuse:false", "--disable-build-servers");
        var output = await DotNetCli.RunAsync(appFolder, isolated,
            "run", "-c", "Release", "--no-build", "--", Path.Combine(_root, "dlq"));

        output.Should().Contain("retry: 42 after 3 attempts")
            .And.Contain("dead letter: replayed 'payload', status Recovered")
            .And.Contain("SMOKE OK");
        Directory.GetFiles(Path.Combine(_root, "restored"), "*.nupkg", SearchOption.AllDirectories)
            .Select(Path.GetFileName)
            .Should().Contain($"resilience.{version}.nupkg", "the package must come from the pack folder");
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

    private static void AssertPackageContents(string package, string library)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(package);
        var entries = archive.Entries.Select(e => e.FullName).ToList();
        entries.Should().Contain($"lib/net10.0/{library}.dll")
            .And.Contain($"lib/net10.0/{library}.xml", "IntelliSense needs the XML documentation")
            .And.Contain("README.md");
        var nuspec = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        var text = reader.ReadToEnd();
        text.Should().Contain("<license type=\"expression\">MIT</license>")
            .And.Contain("<readme>README.md</readme>");
    }

    private static async Task<string> GlobalPackagesFolderAsync(string repository)
    {
        var configured = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        // "global-packages: /root/.nuget/packages/"
        var output = await DotNetCli.RunAsync(repository, new Dictionary<string, string?>(), "nuget", "locals", "global-packages", "--list");
        var line = output.Split('\n').Single(l => l.Contains("global-packages:", StringComparison.Ordinal));
        return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
