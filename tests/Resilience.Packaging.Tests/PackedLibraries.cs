using System.Reflection;

namespace Resilience.Packaging.Tests;

/// <summary>
/// The libraries packed once per test run, into a temporary folder with a version no feed can already hold, so
/// only this run's packages can satisfy a reference. The consumer projects of several tests restore from it; the pack
/// happens on first use, so a test that needs no packages does not pay for it.
/// </summary>
public sealed class PackedLibraries : IDisposable
{
    /// <summary>The packed libraries, by package id.</summary>
    public static readonly IReadOnlyList<string> Libraries = ["Resilience", "Resilience.DependencyInjection", "Resilience.Http", "Resilience.PostgreSql", "Resilience.AspNetCore"];

    private readonly SemaphoreSlim _packing = new(1, 1);
    private bool _packed;

    /// <summary>Holds the packages, the consumer projects and their restored packages; deleted at the end.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "resilience-packed-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The packages' version, unique to this run.</summary>
    public string Version { get; } = "1.0.0-smoke" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The folder the .nupkg and .snupkg files are in.</summary>
    public string PackFolder => Path.Combine(Root, "packages");

    /// <summary>The consumer projects' global packages folder, so no cached copy of ours can answer a restore.</summary>
    public string RestoredFolder => Path.Combine(Root, "restored");

    /// <summary>
    /// The environment for a consumer's dotnet commands: NUGET_PACKAGES would override the nuget.config's
    /// globalPackagesFolder and let a cached copy answer.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> ConsumerEnvironment { get; } =
        new Dictionary<string, string?> { ["NUGET_PACKAGES"] = null };

    /// <summary>The path of a library's package.</summary>
    public string Package(string library) => Path.Combine(PackFolder, $"{library}.{Version}.nupkg");

    /// <summary>Packs the libraries, the first time only.</summary>
    public async Task PackAsync()
    {
        await _packing.WaitAsync();
        try
        {
            if (_packed)
            {
                return;
            }

            var repository = Repository.Root;
            var configuration = typeof(PackedLibraries).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            Directory.CreateDirectory(PackFolder);
            foreach (var library in Libraries)
            {
                await DotNetCli.RunAsync(repository, new Dictionary<string, string?>(),
                    "pack", Path.Combine("src", library, library + ".csproj"), "--no-build", "-c", configuration,
                    "-o", PackFolder, "-p:PackageVersion=" + Version, "-nodeReuse:false");
            }

            _packed = true;
        }
        finally
        {
            _packing.Release();
        }
    }

    /// <summary>
    /// Writes the nuget.config of a consumer project: our packages from the pack folder only, their dependencies from
    /// the machine's global packages folder, nothing downloaded.
    /// </summary>
    public async Task WriteNuGetConfigAsync(string folder)
    {
        var dependencyFeed = await GlobalPackagesFolderAsync(Repository.Root);
        await File.WriteAllTextAsync(Path.Combine(folder, "nuget.config"),
            ConsumerApp.NuGetConfig(PackFolder, dependencyFeed, RestoredFolder));
    }

    public void Dispose()
    {
        _packing.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder (or none: nothing was packed) is not worth failing a passed test over.
        }
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
