using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Resilience.Migration.Internal;

/// <summary>
/// Rewrites every Polly v8 usage of one document to Resilience. It reads symbols from the document's original semantic
/// model (each Visit receives the original node before its children are rewritten), so it must run on code that still
/// binds to Polly; on code already migrated it changes nothing.
/// </summary>
internal sealed partial class PollyRewriter : CSharpSyntaxRewriter
{
    private readonly SemanticModel _model;
    private readonly CancellationToken _cancellationToken;

    public PollyRewriter(SemanticModel model, CancellationToken cancellationToken)
    {
        _model = model;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Gets the namespaces the rewritten code needs imported, beside the mapped Polly ones.</summary>
    public HashSet<string> RequiredNamespaces { get; } = new(StringComparer.Ordinal);

    public override SyntaxNode? VisitNamespaceDeclaration(NamespaceDeclarationSyntax node)
        => PollySymbols.IsInsidePollyDeclaration(node) ? node : base.VisitNamespaceDeclaration(node);

    public override SyntaxNode? VisitFileScopedNamespaceDeclaration(FileScopedNamespaceDeclarationSyntax node)
        => PollySymbols.IsInsidePollyDeclaration(node) ? node : base.VisitFileScopedNamespaceDeclaration(node);

    public override SyntaxNode? VisitQualifiedName(QualifiedNameSyntax node)
        => MappedNamespace(node) is { } mapped ? ParseName(mapped).WithTriviaFrom(node) : base.VisitQualifiedName(node);

    public override SyntaxNode? VisitIdentifierName(IdentifierNameSyntax node)
    {
        var symbol = Symbol(node);
        if (symbol is INamespaceSymbol ns && PollySymbols.IsPollyNamespace(ns))
        {
            return IdentifierName(PollySymbols.MapNamespace(ns.ToDisplayString())).WithTriviaFrom(node);
        }

        if (symbol is ITypeSymbol type && PollySymbols.RenamedType(type) is { } renamed)
        {
            return IdentifierName(renamed.Name).WithTriviaFrom(node);
        }

        if (symbol is ITypeSymbol exception && PollySymbols.IsValidationException(exception) && node.FirstAncestorOrSelf<CatchDeclarationSyntax>() is not null)
        {
            RequiredNamespaces.Add("System");
            return IdentifierName("ArgumentException").WithTriviaFrom(node);
        }

        return base.VisitIdentifierName(node);
    }

    public override SyntaxNode? VisitGenericName(GenericNameSyntax node)
    {
        if (Symbol(node) is ITypeSymbol type && PollySymbols.RenamedType(type) is { } renamed)
        {
            if (renamed.DropsTypeArguments)
            {
                return IdentifierName(renamed.Name).WithTriviaFrom(node);
            }

            var visited = (GenericNameSyntax)base.VisitGenericName(node)!;
            return visited.WithIdentifier(Identifier(renamed.Name).WithTriviaFrom(node.Identifier));
        }

        return base.VisitGenericName(node);
    }

    public override SyntaxNode? VisitCatchDeclaration(CatchDeclarationSyntax node)
    {
        // A qualified System.ComponentModel.DataAnnotations.ValidationException is replaced whole.
        if (node.Type is QualifiedNameSyntax && PollySymbols.IsValidationException(_model.GetTypeInfo(node.Type, _cancellationToken).Type))
        {
            return node.WithType(ParseTypeName("System.ArgumentException").WithTriviaFrom(node.Type));
        }

        return base.VisitCatchDeclaration(node);
    }

    public override SyntaxNode? VisitMemberAccessExpression(MemberAccessExpressionSyntax node)
    {
        if (MappedNamespace(node) is { } mapped)
        {
            return ParseExpression(mapped).WithTriviaFrom(node);
        }

        var change = PollySymbols.RenamedMember(Symbol(node));
        var visited = (MemberAccessExpressionSyntax)base.VisitMemberAccessExpression(node)!;
        switch (change.Kind)
        {
            case MemberChangeKind.Rename:
                return visited.WithName(IdentifierName(change.NewName!).WithTriviaFrom(visited.Name));
            case MemberChangeKind.AttemptNumberFromZero:
                // Polly counts attempts from 0, Resilience from 1: the expression keeps Polly's value.
                return MinusOne(visited).WithTriviaFrom(node);
            case MemberChangeKind.HalfOpenAttempts:
                return MinusOne(visited.WithName(IdentifierName("ConsecutiveTrips"))).WithTriviaFrom(node);
            case MemberChangeKind.UseJitter when !IsAssignmentTarget(node):
                RequiredNamespaces.Add("Resilience.Retry");
                return ParenthesizedExpression(BinaryExpression(
                    SyntaxKind.NotEqualsExpression,
                    visited.WithName(IdentifierName("Jitter")).WithoutTrivia(),
                    ParseExpression("JitterMode.None"))).WithTriviaFrom(node);
            default:
                return visited;
        }
    }

    public override SyntaxNode? VisitAssignmentExpression(AssignmentExpressionSyntax node)
    {
        var change = PollySymbols.RenamedMember(Symbol(node.Left));
        if (node.Kind() != SyntaxKind.SimpleAssignmentExpression || change.Kind == MemberChangeKind.None)
        {
            return base.VisitAssignmentExpression(node);
        }

        if (change.Kind == MemberChangeKind.Rename)
        {
            var visited = (AssignmentExpressionSyntax)base.VisitAssignmentExpression(node)!;
            return visited.WithLeft(Renamed(visited.Left, change.NewName!));
        }

        var inInitializer = node.Parent is InitializerExpressionSyntax;
        var left = (ExpressionSyntax)Visit(node.Left)!;
        var right = (ExpressionSyntax)Visit(node.Right)!;
        switch (change.Kind)
        {
            case MemberChangeKind.UseJitter:
                RequiredNamespaces.Add("Resilience.Retry");
                return node.WithLeft(Renamed(left, "Jitter")).WithRight(JitterValue(node.Right, right).WithTriviaFrom(node.Right));
            case MemberChangeKind.MaxDelay:
                return node.WithLeft(left).WithRight(MaxDelayValue(node.Right, right).WithTriviaFrom(node.Right));
            case MemberChangeKind.ShouldHandle:
                if (right is AnonymousFunctionExpressionSyntax lambda && Unwrapped(lambda) is { } synchronous)
                {
                    // Polly's predicate takes its arguments and returns a ValueTask<bool>; the rule with arguments is
                    // the synchronous twin, and it replaces ShouldHandle, so Polly's decision is kept exactly.
                    return node.WithLeft(Renamed(left, "ShouldHandleWithArguments")).WithRight(synchronous);
                }

                return node.WithLeft(left).WithRight(right);
            case MemberChangeKind.BreakDurationGenerator:
                return node.WithLeft(left).WithRight(right is AnonymousFunctionExpressionSyntax generator && Unwrapped(generator) is { } sync ? sync : right);
            case MemberChangeKind.FallbackAction:
                if (inInitializer)
                {
                    return node.WithLeft(Renamed(left, "FallbackActions"))
                        .WithRight(InitializerExpression(SyntaxKind.CollectionInitializerExpression, SingletonSeparatedList(right.WithoutTrivia())).WithTriviaFrom(node.Right));
                }

                return InvocationExpression(
                        MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Renamed(left, "FallbackActions").WithoutTrivia(), IdentifierName("Add")),
                        ArgumentList(SingletonSeparatedList(Argument(right.WithoutTrivia()))))
                    .WithTriviaFrom(node);
            default:
                return node.WithLeft(left).WithRight(right);
        }
    }

    private static ExpressionSyntax Renamed(ExpressionSyntax left, string name) => left switch
    {
        IdentifierNameSyntax identifier => IdentifierName(name).WithTriviaFrom(identifier),
        MemberAccessExpressionSyntax member => member.WithName(IdentifierName(name).WithTriviaFrom(member.Name)),
        _ => left,
    };

    private static ParenthesizedExpressionSyntax MinusOne(ExpressionSyntax value)
        => ParenthesizedExpression(BinaryExpression(SyntaxKind.SubtractExpression, value.WithoutTrivia(), LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(1))));

    private static bool IsAssignmentTarget(ExpressionSyntax node) => node.Parent is AssignmentExpressionSyntax assignment && assignment.Left == node;

    // UseJitter = true: Polly spreads each delay by ±25 %, which is Proportional jitter of range 0.25 (the options
    // rewrite adds JitterRange = 0.25 beside it).
    private static ExpressionSyntax JitterValue(ExpressionSyntax original, ExpressionSyntax visited) => original.Kind() switch
    {
        SyntaxKind.TrueLiteralExpression => ParseExpression("JitterMode.Proportional"),
        SyntaxKind.FalseLiteralExpression => ParseExpression("JitterMode.None"),
        _ => ConditionalExpression(Parenthesized(visited), ParseExpression("JitterMode.Proportional"), ParseExpression("JitterMode.None")),
    };

    // Polly's MaxDelay = null is "no cap"; Resilience's longest delay is 1 day (Polly's own upper bound).
    private ExpressionSyntax MaxDelayValue(ExpressionSyntax original, ExpressionSyntax visited)
    {
        RequiredNamespaces.Add("System");
        if (original.IsKind(SyntaxKind.NullLiteralExpression) || original.IsKind(SyntaxKind.DefaultLiteralExpression))
        {
            return ParseExpression("TimeSpan.FromDays(1)");
        }

        var type = _model.GetTypeInfo(original, _cancellationToken).Type;
        return type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T }
            ? BinaryExpression(SyntaxKind.CoalesceExpression, Parenthesized(visited), ParseExpression("TimeSpan.FromDays(1)"))
            : visited;
    }

    private static ExpressionSyntax Parenthesized(ExpressionSyntax expression)
        => expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or LiteralExpressionSyntax or ParenthesizedExpressionSyntax
            ? expression.WithoutTrivia()
            : ParenthesizedExpression(expression.WithoutTrivia());

    private ISymbol? Symbol(SyntaxNode node) => _model.GetSymbolInfo(node, _cancellationToken).Symbol;

    private string? MappedNamespace(ExpressionSyntax node)
        => Symbol(node) is INamespaceSymbol ns && PollySymbols.IsPollyNamespace(ns) ? PollySymbols.MapNamespace(ns.ToDisplayString()) : null;

    /// <summary>Marks a node the code fix formats.</summary>
    private static T Formatted<T>(T node)
        where T : SyntaxNode
        => node.WithAdditionalAnnotations(Formatter.Annotation);
}
