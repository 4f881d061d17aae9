namespace Resilience.Packaging.Tests;

/// <summary>
/// Packs the three libraries and consumes them the way a newcomer does: a fresh console project that restores them
/// from the pack folder, builds with warnings as errors, and runs a retry, a dead letter round trip and a DI
/// registration.
/// </summary>
[Collection(nameof(OneBuildAtATime))]
public sealed class PackageSmokeTests(PackedLibraries packed)
{
    [Fact]
    public async Task Packed_libraries_restore_build_and_run_in_a_fresh_console_project()
    {
        await packed.PackAsync();
        var appFolder = Directory.CreateDirectory(Path.Combine(packed.Root, "smoke-app")).FullName;

        foreach (var library in PackedLibraries.Libraries)
        {
            var package = packed.Package(library);
            File.Exists(package).Should().BeTrue($"dotnet pack should produce {package}");
            File.Exists(Path.ChangeExtension(package, ".snupkg")).Should().BeTrue("symbols ship beside each package");
            AssertPackageContents(package, library);
        }

        await packed.WriteNuGetConfigAsync(appFolder);
        await File.WriteAllTextAsync(Path.Combine(appFolder, "SmokeApp.csproj"), ConsumerApp.Project(packed.Version));
        await File.WriteAllTextAsync(Path.Combine(appFolder, "Program.cs"), ConsumerApp.Program);

        var environment = PackedLibraries.ConsumerEnvironment;
        await DotNetCli.RunAsync(appFolder, environment, "build", "-c", "Release", "-nodeReuse:false", "--disable-build-servers");
        var output = await DotNetCli.RunAsync(appFolder, environment,
            "run", "-c", "Release", "--no-build", "--", Path.Combine(packed.Root, "smoke-dlq"));

        output.Should().Contain("retry: 42 after 3 attempts")
            .And.Contain("dead letter: replayed 'payload', status Recovered")
            .And.Contain("SMOKE OK");
        Directory.GetFiles(packed.RestoredFolder, "*.nupkg", SearchOption.AllDirectories)
            .Select(Path.GetFileName)
            .Should().Contain($"resilience.{packed.Version}.nupkg", "the package must come from the pack folder");
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
        // A <repository> element is there only with the URL it is for (none is known yet: see Directory.Build.props).
        if (text.Contains("<repository", StringComparison.Ordinal))
        {
            text.Should().MatchRegex("<repository [^>]*url=\"https://", "a repository without a URL tells a reader nothing");
        }

        AssertOwnReadme(archive, library);
    }

    /// <summary>
    /// The package's README is its own (src/&lt;library&gt;/README.md), not the repository's: nuget.org shows it
    /// outside the repository, where relative links are dead and set-up commands for the repository mean nothing.
    /// </summary>
    private static void AssertOwnReadme(System.IO.Compression.ZipArchive archive, string library)
    {
        using var reader = new StreamReader(archive.GetEntry("README.md")!.Open());
        var readme = reader.ReadToEnd();
        var own = File.ReadAllText(Path.Combine(Repository.Root, "src", library, "README.md"));
        readme.Should().Be(own, $"{library}'s package carries src/{library}/README.md");
        readme.Should().StartWith($"# {library}\n", "the README is about this package")
            .And.NotMatchRegex(@"\]\((?!https?://)", "a relative link is dead on nuget.org")
            .And.NotContain("dotnet run --project", "the repository's set-up commands are no use to a package user")
            .And.NotContain("dotnet test", "the repository's set-up commands are no use to a package user");
    }
}
