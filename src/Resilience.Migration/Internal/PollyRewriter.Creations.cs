using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Resilience.Migration.Internal;

/// <summary>Strategy options (Polly's defaults written out) and predicate builders.</summary>
internal sealed partial class PollyRewriter
{
    private const string PollyDefaultShouldHandle = "static outcome => outcome.Exception is not null and not OperationCanceledException";

    public override SyntaxNode? VisitObjectCreationExpression(ObjectCreationExpressionSyntax node)
    {
        var kind = PollySymbols.OptionsKindOf(_model.GetTypeInfo(node, _cancellationToken).Type);
        var visited = (ObjectCreationExpressionSyntax)base.VisitObjectCreationExpression(node)!;
        if (kind == OptionsKind.None)
        {
            return visited;
        }

        var initializer = WithPollyDefaults(kind, node.Initializer, visited.Initializer);
        if (visited.ArgumentList is null)
        {
            // new T { ... } keeps its shape; new T() gains an initializer after its parentheses.
            return visited.WithInitializer(initializer);
        }

        return visited.WithArgumentList(visited.ArgumentList.WithTrailingTrivia()).WithInitializer(initializer);
    }

    public override SyntaxNode? VisitImplicitObjectCreationExpression(ImplicitObjectCreationExpressionSyntax node)
    {
        var kind = PollySymbols.OptionsKindOf(_model.GetTypeInfo(node, _cancellationToken).Type);
        var visited = (ImplicitObjectCreationExpressionSyntax)base.VisitImplicitObjectCreationExpression(node)!;
        return kind == OptionsKind.None
            ? visited
            : visited.WithArgumentList(visited.ArgumentList.WithTrailingTrivia()).WithInitializer(WithPollyDefaults(kind, node.Initializer, visited.Initializer));
    }

    public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
    {
        if (PredicateChain(node) is { } chain)
        {
            return chain.WithTriviaFrom(node);
        }

        var method = Symbol(node) as IMethodSymbol;
        var visited = (InvocationExpressionSyntax)base.VisitInvocationExpression(node)!;
        if (PollySymbols.IsAddResiliencePipeline(method))
        {
            return AddResiliencePipeline(method!, node, visited);
        }

        if (PollySymbols.IsProviderGetPipeline(method) && node.ArgumentList.Arguments.Count == 1)
        {
            return visited.WithArgumentList(visited.ArgumentList.WithArguments(SingletonSeparatedList(StringKey(node.ArgumentList.Arguments[0], visited.ArgumentList.Arguments[0]))));
        }

        return visited;
    }

    /// <summary>
    /// Adds, after what the code sets, each option whose Resilience default differs from Polly's, set to Polly's value;
    /// an option the code sets keeps the code's value (renamed where needed).
    /// </summary>
    private InitializerExpressionSyntax WithPollyDefaults(OptionsKind kind, InitializerExpressionSyntax? original, InitializerExpressionSyntax? visited)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var useJitterTrue = false;
        foreach (var expression in original?.Expressions ?? default)
        {
            if (expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax name } assignment)
            {
                set.Add(name.Identifier.ValueText);
                useJitterTrue |= name.Identifier.ValueText == "UseJitter" && !assignment.Right.IsKind(SyntaxKind.FalseLiteralExpression);
            }
        }

        var added = new List<ExpressionSyntax>();
        void Add(string member, string value)
        {
            added.Add(ParseExpression(member + " = " + value));
        }

        switch (kind)
        {
            case OptionsKind.Retry:
                RequiredNamespaces.Add("System");
                RequiredNamespaces.Add("Resilience.Retry");
                if (!set.Contains("BackoffType"))
                {
                    Add("BackoffType", "BackoffType.Constant");
                }

                if (!set.Contains("Delay"))
                {
                    Add("BaseDelay", "TimeSpan.FromSeconds(2)");
                }

                if (!set.Contains("UseJitter"))
                {
                    Add("Jitter", "JitterMode.None");
                }
                else if (useJitterTrue && !set.Contains("JitterRange"))
                {
                    Add("JitterRange", "0.25");
                }

                if (!set.Contains("MaxDelay"))
                {
                    Add("MaxDelay", "TimeSpan.FromDays(1)");
                }

                break;
            case OptionsKind.CircuitBreaker:
                if (!set.Contains("FailureRatio"))
                {
                    Add("FailureRatio", "0.1");
                }

                if (!set.Contains("MinimumThroughput"))
                {
                    Add("MinimumThroughput", "100");
                }

                break;
        }

        if (!set.Contains("ShouldHandle"))
        {
            RequiredNamespaces.Add("System");
            Add("ShouldHandle", PollyDefaultShouldHandle);
        }

        var expressions = new List<ExpressionSyntax>(visited?.Expressions ?? default);
        expressions.AddRange(added);
        // A trailing comma stays where the code had one (a multi-line initializer, usually); none is added.
        var trailingComma = visited is not null && visited.Expressions.Count > 0 && visited.Expressions.SeparatorCount == visited.Expressions.Count;
        var separators = Enumerable.Repeat(Token(SyntaxKind.CommaToken), trailingComma ? expressions.Count : Math.Max(0, expressions.Count - 1));
        var result = InitializerExpression(SyntaxKind.ObjectInitializerExpression, SeparatedList(expressions, separators));
        return Formatted(visited is null ? result : result.WithTriviaFrom(visited));
    }

    /// <summary>
    /// <c>new PredicateBuilder&lt;T&gt;().Handle&lt;A&gt;().HandleInner&lt;B&gt;().HandleResult(r =&gt; ...)</c> becomes
    /// <c>Handle&lt;T&gt;.Exception&lt;A&gt;().OrInner&lt;B&gt;().OrResult(r =&gt; ...)</c>, rewritten from its outermost call.
    /// </summary>
    private ExpressionSyntax? PredicateChain(InvocationExpressionSyntax node)
    {
        if (node.Parent is MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax outer } && IsPredicateBuilderCall(outer))
        {
            return null;
        }

        var calls = new List<(SimpleNameSyntax Name, InvocationExpressionSyntax Call)>();
        ExpressionSyntax current = node;
        while (current is InvocationExpressionSyntax invocation && IsPredicateBuilderCall(invocation))
        {
            calls.Add((((MemberAccessExpressionSyntax)invocation.Expression).Name, invocation));
            current = ((MemberAccessExpressionSyntax)invocation.Expression).Expression;
        }

        while (current is ParenthesizedExpressionSyntax parenthesized)
        {
            current = parenthesized.Expression;
        }

        if (calls.Count == 0 || current is not ObjectCreationExpressionSyntax creation || !PollySymbols.IsPredicateBuilder(_model.GetTypeInfo(creation, _cancellationToken).Type))
        {
            return null;
        }

        calls.Reverse();
        var resultType = creation.Type is GenericNameSyntax generic ? generic.TypeArgumentList.Arguments[0] : null;
        ExpressionSyntax start = resultType is null
            ? IdentifierName("Handle")
            : GenericName(Identifier("Handle"), TypeArgumentList(SingletonSeparatedList((TypeSyntax)Visit(resultType)!)));
        ExpressionSyntax chain = start;
        for (var i = 0; i < calls.Count; i++)
        {
            var (name, call) = calls[i];
            var arguments = (ArgumentListSyntax)Visit(call.ArgumentList)!;
            var method = name.Identifier.ValueText switch
            {
                "Handle" => i == 0 ? "Exception" : "Or",
                "HandleInner" => i == 0 ? "InnerException" : "OrInner",
                _ => i == 0 ? "Result" : "OrResult",
            };

            if (name.Identifier.ValueText == "HandleResult" && arguments.Arguments.Count >= 1 && !IsDelegate(call.ArgumentList.Arguments[0]))
            {
                // HandleResult(value[, comparer]) matches by equality.
                var comparer = arguments.Arguments.Count > 1
                    ? "(" + arguments.Arguments[1].Expression.WithoutTrivia().ToFullString() + ")"
                    : "System.Collections.Generic.EqualityComparer<" + (resultType is null ? "object" : ((TypeSyntax)Visit(resultType)!).ToString()) + ">.Default";
                arguments = ArgumentList(SingletonSeparatedList(Argument(ParseExpression(
                    "result => " + comparer + ".Equals(result, " + arguments.Arguments[0].Expression.WithoutTrivia().ToFullString() + ")"))));
            }

            SimpleNameSyntax newName = name is GenericNameSyntax typed
                ? GenericName(Identifier(method), (TypeArgumentListSyntax)Visit(typed.TypeArgumentList)!)
                : IdentifierName(method);
            chain = InvocationExpression(MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, chain, newName), arguments);
        }

        return chain;
    }

    private bool IsPredicateBuilderCall(InvocationExpressionSyntax invocation)
        => invocation.Expression is MemberAccessExpressionSyntax member
            && member.Name.Identifier.ValueText is "Handle" or "HandleInner" or "HandleResult"
            && Symbol(invocation) is IMethodSymbol method
            && PollySymbols.IsPredicateBuilder(method.ContainingType);

    private bool IsDelegate(ArgumentSyntax argument)
        => argument.Expression is AnonymousFunctionExpressionSyntax
            || _model.GetTypeInfo(argument.Expression, _cancellationToken).ConvertedType?.TypeKind == TypeKind.Delegate;
}
