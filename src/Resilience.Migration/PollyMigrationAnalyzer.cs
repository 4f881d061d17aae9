using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Resilience.Migration.Internal;

namespace Resilience.Migration;

/// <summary>
/// Reports Polly v8 usages that the migration code fix rewrites (see <see cref="MigrationDiagnostics"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PollyMigrationAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        MigrationDiagnostics.PollyNamespace,
        MigrationDiagnostics.PollyOptions,
        MigrationDiagnostics.PollyPredicateBuilder,
        MigrationDiagnostics.PollyMember,
        MigrationDiagnostics.PollyDependencyInjection,
        MigrationDiagnostics.PollyType,
        MigrationDiagnostics.PollyBuilder);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxNodeAction(AnalyzeUsing, SyntaxKind.UsingDirective);
        context.RegisterSyntaxNodeAction(AnalyzeQualifiedName, SyntaxKind.QualifiedName, SyntaxKind.SimpleMemberAccessExpression);
        context.RegisterSyntaxNodeAction(AnalyzeCreation, SyntaxKind.ObjectCreationExpression, SyntaxKind.ImplicitObjectCreationExpression);
        context.RegisterSyntaxNodeAction(AnalyzeMember, SyntaxKind.SimpleMemberAccessExpression);
        context.RegisterSyntaxNodeAction(AnalyzeInvocation, SyntaxKind.InvocationExpression);
        context.RegisterSyntaxNodeAction(AnalyzeTypeName, SyntaxKind.IdentifierName, SyntaxKind.GenericName);
    }

    private static void AnalyzeUsing(SyntaxNodeAnalysisContext context)
    {
        var directive = (UsingDirectiveSyntax)context.Node;
        if (directive.Name is { } name && context.SemanticModel.GetSymbolInfo(name, context.CancellationToken).Symbol is INamespaceSymbol ns && PollySymbols.IsPollyNamespace(ns))
        {
            var display = ns.ToDisplayString();
            context.ReportDiagnostic(Diagnostic.Create(MigrationDiagnostics.PollyNamespace, directive.GetLocation(), display, PollySymbols.MapNamespace(display)));
        }
    }

    // A name such as Polly.Retry.RetryStrategyOptions in code: reported once, on its outermost namespace part.
    private static void AnalyzeQualifiedName(SyntaxNodeAnalysisContext context)
    {
        var node = context.Node;
        if (node.FirstAncestorOrSelf<UsingDirectiveSyntax>() is not null || PollySymbols.IsInsidePollyDeclaration(node))
        {
            return;
        }

        if (context.SemanticModel.GetSymbolInfo(node, context.CancellationToken).Symbol is not INamespaceSymbol ns || !PollySymbols.IsPollyNamespace(ns))
        {
            return;
        }

        if (node.Parent is QualifiedNameSyntax or MemberAccessExpressionSyntax
            && context.SemanticModel.GetSymbolInfo(node.Parent, context.CancellationToken).Symbol is INamespaceSymbol)
        {
            return;
        }

        var display = ns.ToDisplayString();
        context.ReportDiagnostic(Diagnostic.Create(MigrationDiagnostics.PollyNamespace, node.GetLocation(), display, PollySymbols.MapNamespace(display)));
    }

    private static void AnalyzeCreation(SyntaxNodeAnalysisContext context)
    {
        if (PollySymbols.IsInsidePollyDeclaration(context.Node))
        {
            return;
        }

        var type = context.SemanticModel.GetTypeInfo(context.Node, context.CancellationToken).Type;
        var name = type?.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        if (PollySymbols.OptionsKindOf(type) != OptionsKind.None)
        {
            context.ReportDiagnostic(Diagnostic.Create(MigrationDiagnostics.PollyOptions, context.Node.GetLocation(), name));
        }
        else if (PollySymbols.IsPredicateBuilder(type))
        {
            context.ReportDiagnostic(Diagnostic.Create(MigrationDiagnostics.PollyPredicateBuilder, context.Node.GetLocation()));
        }
        else if (PollySymbols.IsPipelineBuilder(type))
        {
            context.ReportDiagnostic(Diagnostic.Create(MigrationDiagnostics.PollyBuilder, context.Node.GetLocation(), name));
        }
    }

    // Members inside an options initializer are covered by the options' own diagnostic.
    private static void AnalyzeMember(SyntaxNodeAnalysisContext context)
    {
        var access = (MemberAccessExpressionSyntax)context.Node;
        if (PollySymbols.IsInsidePollyDeclaration(access))
        {
            return;
        }

        var symbol = context.SemanticModel.GetSymbolInfo(access, context.CancellationToken).Symbol;
        var change = PollySymbols.RenamedMember(symbol);
        if (change.Kind != MemberChangeKind.None)
        {
            context.ReportDiagnostic(Diagnostic.Create(MigrationDiagnostics.PollyMember, access.Name.GetLocation(), symbol!.ContainingType.Name + "." + symbol.Name, change.Describe()));
        }
    }

    private static void AnalyzeInvocation(SyntaxNodeAnalysisContext context)
    {
        if (PollySymbols.IsInsidePollyDeclaration(context.Node))
        {
            return;
        }

        var invocation = (InvocationExpressionSyntax)context.Node;
        if (context.SemanticModel.GetSymbolInfo(invocation, context.CancellationToken).Symbol is IMethodSymbol method && PollySymbols.IsAddResiliencePipeline(method))
        {
            var location = invocation.Expression is MemberAccessExpressionSyntax member ? member.Name.GetLocation() : invocation.GetLocation();
            context.ReportDiagnostic(Diagnostic.Create(MigrationDiagnostics.PollyDependencyInjection, location));
        }
    }

    private static void AnalyzeTypeName(SyntaxNodeAnalysisContext context)
    {
        var node = (SimpleNameSyntax)context.Node;
        if (PollySymbols.IsInsidePollyDeclaration(node) || node.Parent is MemberAccessExpressionSyntax { Name: var right } && right == node)
        {
            return;
        }

        var symbol = context.SemanticModel.GetSymbolInfo(node, context.CancellationToken).Symbol as ITypeSymbol;
        if (PollySymbols.RenamedType(symbol) is { } renamed)
        {
            context.ReportDiagnostic(Diagnostic.Create(MigrationDiagnostics.PollyType, node.GetLocation(), symbol!.Name, renamed.Name));
        }
        else if (PollySymbols.IsValidationException(symbol) && node.FirstAncestorOrSelf<CatchDeclarationSyntax>() is not null && UsesPolly(node.SyntaxTree, context))
        {
            context.ReportDiagnostic(Diagnostic.Create(MigrationDiagnostics.PollyType, node.GetLocation(), symbol!.Name, "ArgumentException"));
        }
    }

    // Polly rejects bad options with a ValidationException, Resilience with an ArgumentException; a catch of it is only
    // about Polly in a file that uses Polly.
    private static bool UsesPolly(SyntaxTree tree, SyntaxNodeAnalysisContext context)
    {
        foreach (var directive in tree.GetCompilationUnitRoot(context.CancellationToken).DescendantNodes().OfType<UsingDirectiveSyntax>())
        {
            if (directive.Name is { } name && context.SemanticModel.GetSymbolInfo(name, context.CancellationToken).Symbol is INamespaceSymbol ns && PollySymbols.IsPollyNamespace(ns))
            {
                return true;
            }
        }

        return false;
    }
}
