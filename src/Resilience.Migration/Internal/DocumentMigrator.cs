using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Resilience.Migration.Internal;

/// <summary>
/// Migrates one document: every Polly usage rewritten, then the using directives made whole (duplicates from the
/// namespace mapping removed, namespaces the new code needs added).
/// </summary>
internal static class DocumentMigrator
{
    public static async Task<Document> MigrateAsync(Document document, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is not CompilationUnitSyntax unit || model is null)
        {
            return document;
        }

        var rewriter = new PollyRewriter(model, cancellationToken);
        var rewritten = (CompilationUnitSyntax)rewriter.Visit(unit);
        if (rewritten == unit)
        {
            return document;
        }

        rewritten = WithUsings(rewritten, model.Compilation, rewriter.RequiredNamespaces, unit);
        var migrated = document.WithSyntaxRoot(rewritten);
        return await Formatter.FormatAsync(migrated, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static CompilationUnitSyntax WithUsings(CompilationUnitSyntax unit, Compilation compilation, HashSet<string> required, CompilationUnitSyntax original)
    {
        // Duplicates appear when a file imported both Polly.X and Resilience.X, or Polly.Registry and
        // Polly.DependencyInjection (both map to Resilience.DependencyInjection).
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<UsingDirectiveSyntax>();
        foreach (var directive in unit.Usings)
        {
            if (directive.Alias is null && directive.StaticKeyword == default && directive.Name is { } name && !seen.Add(name.ToString()))
            {
                continue;
            }

            kept.Add(directive);
        }

        var imported = new HashSet<string>(seen, StringComparer.Ordinal);
        foreach (var tree in compilation.SyntaxTrees)
        {
            if (tree == original.SyntaxTree)
            {
                continue;
            }

            foreach (var directive in tree.GetCompilationUnitRoot().Usings)
            {
                if (directive.GlobalKeyword != default && directive.Alias is null && directive.Name is { } name)
                {
                    imported.Add(name.ToString().Replace("global::", string.Empty));
                }
            }
        }

        foreach (var ns in unit.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().SelectMany(n => n.Usings))
        {
            if (ns.Name is { } name)
            {
                imported.Add(name.ToString());
            }
        }

        var missing = required.Where(ns => !imported.Contains(ns)).OrderBy(ns => ns, StringComparer.Ordinal).ToList();

        // The file's own line ending, so a new line matches its neighbours.
        var endOfLine = unit.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        var newLine = endOfLine.IsKind(SyntaxKind.EndOfLineTrivia) ? endOfLine : ElasticCarriageReturnLineFeed;
        foreach (var ns in missing)
        {
            kept.Add(UsingDirective(ParseName(ns)).WithAdditionalAnnotations(Formatter.Annotation).WithTrailingTrivia(newLine));
        }

        if (kept.Count == unit.Usings.Count && missing.Count == 0)
        {
            return unit;
        }

        return unit.WithUsings(List(kept));
    }
}
