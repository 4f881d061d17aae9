using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using Resilience.Docs.Tests;

namespace Resilience.Packaging.Tests;

/// <summary>
/// The docs' promise to a newcomer: every C# block of README.md and docs/*.md, pasted whole into the Program.cs of a
/// fresh <c>dotnet new web</c> project that references the packed packages, builds with warnings as errors. One
/// project per block (blocks declare the same type names, and only one file of a program may hold statements), all
/// built by a single <c>dotnet build</c> of a solution listing them. Resilience.Docs.Tests checks the same blocks
/// faster, in memory, against the project references; this one catches what only the packages and a real SDK build
/// show (a dependency a package does not carry, an analyzer of the Web SDK).
/// </summary>
[Collection(nameof(OneBuildAtATime))]
public sealed partial class PackagedDocsSnippetsTests(PackedLibraries packed, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_docs_block_builds_in_a_fresh_web_project_against_the_packages()
    {
        var snippets = DocSnippet.FindAll(Repository.Root);
        snippets.Should().Contain(s => s.File == "README.md", "the README's quickstart is a block too");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await packed.PackAsync();
        output.WriteLine($"packed (or already packed) in {clock.Elapsed.TotalSeconds:F1} s");

        var appsFolder = Directory.CreateDirectory(Path.Combine(packed.Root, "docs-apps")).FullName;
        var projects = new Dictionary<string, DocSnippet>(StringComparer.Ordinal);
        foreach (var snippet in snippets)
        {
            // docs/retry.md, fence at line 6 -> docs_retry_md_6/docs_retry_md_6.csproj
            var name = NonIdentifier().Replace($"{snippet.File}_{snippet.Line}", "_");
            var folder = Directory.CreateDirectory(Path.Combine(appsFolder, name)).FullName;
            await File.WriteAllTextAsync(Path.Combine(folder, name + ".csproj"), DocsApp.Project(packed.Version, snippet.HasStatements, usesOpenTelemetry: snippet.Code.Contains("using OpenTelemetry", StringComparison.Ordinal)));
            await File.WriteAllTextAsync(Path.Combine(folder, "Program.cs"), snippet.Code);
            projects.Add(name, snippet);
        }

        await File.WriteAllTextAsync(Path.Combine(appsFolder, "Docs.slnx"),
            DocsApp.Solution(projects.Keys.Select(name => $"{name}/{name}.csproj")));
        await packed.WriteNuGetConfigAsync(appsFolder);

        clock.Restart();
        try
        {
            await DotNetCli.RunAsync(appsFolder, PackedLibraries.ConsumerEnvironment,
                "build", "Docs.slnx", "-c", "Release", "-warnaserror", "-nodeReuse:false", "--disable-build-servers");
        }
        catch (InvalidOperationException failure)
        {
            Assert.Fail(Describe(failure.Message, projects));
        }

        output.WriteLine($"{projects.Count} projects restored and built in {clock.Elapsed.TotalSeconds:F1} s");

        foreach (var (name, snippet) in projects)
        {
            File.Exists(Path.Combine(appsFolder, name, "bin", "Release", "net10.0", name + ".dll"))
                .Should().BeTrue($"{snippet.File}:{snippet.Line} should have been built");
        }
    }

    /// <summary>The build's errors and warnings, each at its doc's line, then the whole log.</summary>
    private static string Describe(string log, Dictionary<string, DocSnippet> projects)
    {
        var text = new StringBuilder("Docs blocks that do not build in a fresh web project:\n");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Diagnostic().Matches(log))
        {
            var project = Path.GetFileName(Path.GetDirectoryName(m.Groups["path"].Value)) ?? "";
            var where = projects.TryGetValue(project, out var snippet) && m.Groups["path"].Value.EndsWith("Program.cs", StringComparison.Ordinal)
                // Line 1 of Program.cs is the line after the block's fence.
                ? $"{snippet.File}:{snippet.Line + int.Parse(m.Groups["line"].Value, CultureInfo.InvariantCulture)}"
                : m.Groups["path"].Value;
            var line = $"  {where}: {m.Groups["id"].Value}: {m.Groups["message"].Value}";
            if (seen.Add(line))
            {
                text.AppendLine(line);
            }
        }

        return text.Append("\nBuild log:\n").Append(log).ToString();
    }

    [GeneratedRegex(@"[^A-Za-z0-9]+")]
    private static partial Regex NonIdentifier();

    // "/tmp/.../docs_retry_md_6/Program.cs(12,5): error CS1002: ; expected [/tmp/.../docs_retry_md_6.csproj]"
    [GeneratedRegex(@"(?<path>[^\s(]+)\((?<line>\d+),\d+\): (?:error|warning) (?<id>\w+): (?<message>.*?) \[", RegexOptions.Multiline)]
    private static partial Regex Diagnostic();
}
