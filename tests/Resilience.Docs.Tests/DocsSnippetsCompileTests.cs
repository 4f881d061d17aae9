using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Reflection.Metadata;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Docs.Tests;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/*.md compiles on its own, against the three libraries and
/// ASP.NET Core, with nothing added but Prelude/DocsPrelude.cs: the implicit usings a <c>dotnet new web</c> project
/// has. Errors and warnings fail the block. (PackagedDocsSnippetsTests in Resilience.Packaging.Tests builds the same
/// blocks in a real fresh project against the packed packages.)
/// </summary>
public sealed class DocsSnippetsCompileTests
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<string> RepositoryRoot = new(FindRepositoryRoot);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private static readonly Lazy<SyntaxTree> Prelude = new(() => CSharpSyntaxTree.ParseText(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Prelude", "DocsPrelude.cs")),
        ParseOptions,
        path: "DocsPrelude.cs"));

    private static readonly Lazy<ImmutableArray<DocSnippet>> Snippets = new(() => DocSnippet.FindAll(RepositoryRoot.Value));

    private static readonly Lazy<ImmutableArray<ISourceGenerator>> Generators = new(LoadGenerators);

    /// <summary>One theory case per block: the doc's path from the repository root and the line of its fence.</summary>
    public static TheoryData<string, int> AllSnippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var snippet in Snippets.Value)
        {
            data.Add(snippet.File, snippet.Line);
        }

        return data;
    }

    [Fact]
    public void The_docs_have_csharp_snippets()
    {
        Snippets.Value.Should().NotBeEmpty();
        Snippets.Value.Should().Contain(s => s.File == "README.md", "the README's quickstart is a snippet too");
    }

    [Theory]
    [MemberData(nameof(AllSnippets))]
    public void Snippet_compiles(string file, int line)
    {
        var snippet = Snippets.Value.Single(s => s.File == file && s.Line == line);

        var tree = CSharpSyntaxTree.ParseText(snippet.Code, ParseOptions, path: $"{file}:{line}");
        var options = new CSharpCompilationOptions(
                snippet.HasStatements ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithConcurrentBuild(false);
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [Prelude.Value, tree],
            References.Value,
            options);
        CSharpGeneratorDriver.Create(Generators.Value, parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);

        var problems = generatorDiagnostics.Concat(generated.GetDiagnostics())
            .Where(d => d.Severity == DiagnosticSeverity.Error
                // As in a project with TreatWarningsAsErrors: a block a reader pastes must not raise one either.
                || d.Severity == DiagnosticSeverity.Warning)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ToList();

        if (problems.Count > 0)
        {
            Assert.Fail(Describe(snippet, tree, problems));
        }
    }

    private static string Describe(DocSnippet snippet, SyntaxTree tree, List<Diagnostic> problems)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{snippet.File}:{snippet.Line} does not compile:");
        foreach (var d in problems)
        {
            var span = d.Location.GetLineSpan();
            var where = d.Location.SourceTree == tree
                // Line 1 of the snippet is the line after its fence.
                ? $"{snippet.File}:{snippet.Line + span.StartLinePosition.Line + 1}"
                : d.Location.IsInSource
                    ? $"{Path.GetFileName(span.Path)}:{span.StartLinePosition.Line + 1}"
                    : "(no location)";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {where}: {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}");
        }

        return text.ToString();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Resilience.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Resilience.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>
    /// The runtime's trusted platform assemblies (Microsoft.NETCore.App and, through the FrameworkReference,
    /// Microsoft.AspNetCore.App) and every assembly copied beside the tests (the Resilience libraries and the
    /// Microsoft.Extensions packages they take), one per simple name, the first found winning.
    /// </summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll").Order(StringComparer.Ordinal);
        var byName = new Dictionary<string, MetadataReference>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in trusted.Concat(local))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (byName.ContainsKey(name) || !IsManagedAssembly(path))
            {
                continue;
            }

            byName[name] = MetadataReference.CreateFromFile(path);
        }

        return [.. byName.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];
    }

    /// <summary>System.Text.Json's source generator, copied beside the tests by the project (see its csproj).</summary>
    private static ImmutableArray<ISourceGenerator> LoadGenerators()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "generators", "System.Text.Json.SourceGeneration.dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("The build copies System.Text.Json's source generator here.", path);
        }

        return [.. Assembly.LoadFrom(path).GetTypes()
            .Where(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t)!).AsSourceGenerator())];
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            return pe.HasMetadata && pe.GetMetadataReader().IsAssembly;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

}
