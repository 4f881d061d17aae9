using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Resilience.Migration;

namespace Resilience.Samples.PollyMigration.Tests;

/// <summary>
/// The sample's OrdersClient.cs is the code fix's output on the Polly original, unedited, and that output compiles
/// against Resilience with no Polly usage left.
/// </summary>
public class CodeFixOutputTests
{
    // What the SDK's implicit usings give the sample project (ImplicitUsings is on for every project).
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    [Fact]
    public async Task CodeFix_OnThePollyOriginal_WritesTheSamplesClient()
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(),
            VersionStamp.Create(),
            "OrdersApp",
            "OrdersApp",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: References()));
        workspace.AddDocument(project.Id, "GlobalUsings.cs", SourceText.From(ImplicitUsings));
        var document = workspace.AddDocument(project.Id, "OrdersClient.cs", SourceText.From(SampleFiles.Original));

        var before = (await document.Project.GetCompilationAsync())!;
        before.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Should().BeEmpty("the original builds against Polly");
        var diagnostics = await before.WithAnalyzers([new PollyMigrationAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        diagnostics.Select(d => d.Id).Distinct().Should().Contain(["RSLM001", "RSLM002", "RSLM004", "RSLM007"]);

        var actions = new List<CodeAction>();
        await new PollyMigrationCodeFixProvider().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostics[0], (action, _) => actions.Add(action), CancellationToken.None));
        var operations = await actions.Single().GetOperationsAsync(CancellationToken.None);
        var migrated = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;

        (await migrated.GetTextAsync()).ToString().Should().Be(SampleFiles.Migrated);
        var after = (await migrated.Project.GetCompilationAsync())!;
        after.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Should().BeEmpty("the migrated client builds against Resilience");
        (await after.WithAnalyzers([new PollyMigrationAnalyzer()]).GetAnalyzerDiagnosticsAsync()).Should().BeEmpty("nothing of Polly is left");
    }

    // The running framework and the assemblies beside the tests (Polly.Core, Resilience and their dependencies).
    private static ImmutableArray<MetadataReference> References()
    {
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetDirectoryName(path) == Path.GetDirectoryName(typeof(object).Assembly.Location));
        var local = new[] { "Polly.Core", "Resilience", "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.DependencyInjection.Abstractions" }
            .Select(name => Path.Combine(AppContext.BaseDirectory, name + ".dll"));
        var byName = new Dictionary<string, MetadataReference>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in trusted.Concat(local).Where(File.Exists))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!byName.ContainsKey(name) && IsManagedAssembly(path))
            {
                byName[name] = MetadataReference.CreateFromFile(path);
            }
        }

        return [.. byName.Values];
    }

    private static bool IsManagedAssembly(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        return reader.HasMetadata && reader.GetMetadataReader().IsAssembly;
    }
}
