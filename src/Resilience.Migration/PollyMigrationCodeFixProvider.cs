using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Resilience.Migration.Internal;

namespace Resilience.Migration;

/// <summary>
/// Fixes every migration diagnostic with one action, "Migrate from Polly to Resilience", which rewrites the whole
/// file: its Polly usages depend on each other (a renamed option only binds once its namespace is Resilience's, and the
/// namespace may only change once nothing in the file needs Polly's symbols), so the file moves in one step. Fixing
/// all occurrences in a document, project or solution batches these per-file rewrites.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PollyMigrationCodeFixProvider))]
[Shared]
public sealed class PollyMigrationCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of the migration action, the same for every diagnostic it fixes.</summary>
    public const string EquivalenceKey = "Resilience.Migration.MigrateFromPolly";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        MigrationDiagnostics.PollyNamespaceId,
        MigrationDiagnostics.PollyOptionsId,
        MigrationDiagnostics.PollyPredicateBuilderId,
        MigrationDiagnostics.PollyMemberId,
        MigrationDiagnostics.PollyDependencyInjectionId,
        MigrationDiagnostics.PollyTypeId,
        MigrationDiagnostics.PollyBuilderId);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var document = context.Document;
        context.RegisterCodeFix(
            CodeAction.Create(
                "Migrate from Polly to Resilience",
                cancellationToken => DocumentMigrator.MigrateAsync(document, cancellationToken),
                EquivalenceKey),
            context.Diagnostics);
        return Task.CompletedTask;
    }
}
