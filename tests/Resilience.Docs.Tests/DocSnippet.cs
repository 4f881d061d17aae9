using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Docs.Tests;

/// <summary>
/// One <c>```csharp</c> block of README.md or docs/*.md: the doc's path from the repository root, the line of its
/// fence (1-based; line 1 of <see cref="Code"/> is the line after it) and its text. Shared with
/// Resilience.Packaging.Tests (linked there), so both tests read the docs the same way.
/// </summary>
internal sealed record DocSnippet(string File, int Line, string Code)
{
    /// <summary>
    /// Whether the block has top-level statements: it is then a program (the Program.cs of a fresh project), else
    /// declarations only, a library.
    /// </summary>
    public bool HasStatements => CSharpSyntaxTree.ParseText(Code, new CSharpParseOptions(LanguageVersion.Latest))
        .GetRoot().DescendantNodes().OfType<GlobalStatementSyntax>().Any();

    /// <summary>
    /// Every block of README.md, of docs/*.md and of the packages' own READMEs (src/*/README.md, what nuget.org
    /// shows), each set in ordinal order of the paths.
    /// </summary>
    public static ImmutableArray<DocSnippet> FindAll(string repositoryRoot)
    {
        var files = new[] { Path.Combine(repositoryRoot, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(repositoryRoot, "docs"), "*.md").Order(StringComparer.Ordinal))
            .Concat(Directory.GetDirectories(Path.Combine(repositoryRoot, "src"))
                .Select(project => Path.Combine(project, "README.md"))
                .Where(System.IO.File.Exists)
                .Order(StringComparer.Ordinal));
        var snippets = ImmutableArray.CreateBuilder<DocSnippet>();
        foreach (var path in files)
        {
            var relative = Path.GetRelativePath(repositoryRoot, path).Replace('\\', '/');
            var lines = System.IO.File.ReadAllLines(path);
            for (var i = 0; i < lines.Length; i++)
            {
                var fence = lines[i].TrimStart();
                if (!fence.StartsWith("```csharp", StringComparison.Ordinal))
                {
                    continue;
                }

                var indent = lines[i].Length - fence.Length;
                var body = new StringBuilder();
                var start = i + 1;
                for (i = start; i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
                {
                    // A fence indented inside a list item indents its lines as much.
                    var text = lines[i];
                    var strip = Math.Min(indent, text.Length - text.TrimStart().Length);
                    body.Append(text, strip, text.Length - strip).Append('\n');
                }

                snippets.Add(new DocSnippet(relative, start, body.ToString()));
            }
        }

        return snippets.ToImmutable();
    }
}
