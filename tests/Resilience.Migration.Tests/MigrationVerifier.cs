using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Resilience.Migration.Tests;

/// <summary>
/// Runs the analyzer and the code fix over a "before" source that uses Polly (its stand-ins, Stubs/Polly.cs) and checks
/// the "after" source: the diagnostics marked in the before text (<c>{|RSLM002:...|}</c>), the single fix, fix-all in
/// the document, project and solution, and that the after text compiles against Resilience.
/// </summary>
internal static class MigrationVerifier
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);
    private static readonly Lazy<string> PollyStubs = new(() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Stubs", "Polly.cs")));

    public static Task VerifyAsync(string before, string after, int fixAllIterations = 1)
        => VerifyAsync([before], [after], fixAllIterations);

    /// <summary>Several files of one project: fix-all in the project and the solution migrates each of them.</summary>
    public static Task VerifyAsync(string[] before, string[] after, int fixAllIterations = 1)
    {
        var test = new CSharpCodeFixTest<PollyMigrationAnalyzer, PollyMigrationCodeFixProvider, DefaultVerifier>
        {
            // No reference package to download: the references are the running framework's and the test's own.
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
            CodeActionEquivalenceKey = PollyMigrationCodeFixProvider.EquivalenceKey,
            // The single fix migrates its own file; fix-all migrates them all in one pass.
            NumberOfIncrementalIterations = before.Length,
            NumberOfFixAllIterations = fixAllIterations,
            NumberOfFixAllInDocumentIterations = before.Length * fixAllIterations,
            NumberOfFixAllInProjectIterations = fixAllIterations,
        };
        for (var i = 0; i < before.Length; i++)
        {
            test.TestState.Sources.Add(($"File{i}.cs", before[i]));
            test.FixedState.Sources.Add(($"File{i}.cs", after[i]));
        }

        test.TestState.Sources.Add(("Polly.cs", PollyStubs.Value));
        test.FixedState.Sources.Add(("Polly.cs", PollyStubs.Value));
        test.TestState.AdditionalReferences.AddRange(References.Value);
        test.FixedState.AdditionalReferences.AddRange(References.Value);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>The shared framework and the libraries beside the tests (Resilience, its dependencies), one per name.</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetDirectoryName(path) == Path.GetDirectoryName(typeof(object).Assembly.Location));
        var local = new[] { "Resilience", "Resilience.DependencyInjection", "Microsoft.Extensions.DependencyInjection.Abstractions", "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.Configuration.Abstractions", "Microsoft.Extensions.Options", "Microsoft.Extensions.Diagnostics.Abstractions", "Microsoft.Extensions.Primitives" }
            .Select(name => Path.Combine(AppContext.BaseDirectory, name + ".dll"))
            .Where(File.Exists);
        var byName = new Dictionary<string, MetadataReference>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in trusted.Concat(local))
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
