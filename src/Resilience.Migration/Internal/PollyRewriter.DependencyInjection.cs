using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Resilience.Migration.Internal;

/// <summary>Polly.Extensions' registration and provider, and Polly's asynchronous callbacks made synchronous.</summary>
internal sealed partial class PollyRewriter
{
    /// <summary>
    /// <c>AddResiliencePipeline&lt;TKey[, TResult]&gt;(key, configure)</c> becomes <c>AddResiliencePipeline[&lt;TResult&gt;](name, (builder, context) =&gt; ...)</c>:
    /// Resilience names pipelines by string (a key of another type is named by its <c>ToString()</c>, at registration and
    /// look-up alike) and always passes the build context.
    /// </summary>
    private InvocationExpressionSyntax AddResiliencePipeline(IMethodSymbol method, InvocationExpressionSyntax original, InvocationExpressionSyntax visited)
    {
        RequiredNamespaces.Add("Microsoft.Extensions.DependencyInjection");
        var expression = visited.Expression;
        if (expression is MemberAccessExpressionSyntax { Name: GenericNameSyntax generic } member)
        {
            // Polly's type arguments are <TKey> or <TKey, TResult>; Resilience's generic overload takes <TResult>.
            SimpleNameSyntax name = method.TypeArguments.Length == 2
                ? generic.WithTypeArgumentList(TypeArgumentList(SingletonSeparatedList(generic.TypeArgumentList.Arguments[1])))
                : IdentifierName(generic.Identifier);
            expression = member.WithName(name);
        }

        var arguments = visited.ArgumentList.Arguments;
        if (arguments.Count < 2)
        {
            return visited.WithExpression(expression);
        }

        var key = StringKey(original.ArgumentList.Arguments[0], arguments[0]);
        var configure = arguments[1];
        var withContext = configure.Expression switch
        {
            SimpleLambdaExpressionSyntax simple => configure.WithExpression(ParenthesizedLambdaExpression(
                ParameterList(SeparatedList(new[] { simple.Parameter.WithoutTrivia(), Parameter(Identifier("_")) })),
                simple.Block,
                simple.ExpressionBody).WithModifiers(simple.Modifiers)),
            ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 1 } single => configure.WithExpression(single.WithParameterList(
                single.ParameterList.AddParameters(Parameter(Identifier("_"))))),
            AnonymousFunctionExpressionSyntax => configure,
            _ when method.Parameters.Length >= 2 && (method.Parameters[1].Type as INamedTypeSymbol)?.DelegateInvokeMethod?.Parameters.Length == 1
                => configure.WithExpression(ParseExpression("(builder, _) => " + configure.Expression.WithoutTrivia().ToFullString() + "(builder)")),
            _ => configure,
        };

        var replaced = arguments.ToList();
        replaced[0] = key;
        replaced[1] = withContext;
        return visited.WithExpression(expression).WithArgumentList(visited.ArgumentList.WithArguments(SeparatedList(replaced, arguments.GetSeparators())));
    }

    private ArgumentSyntax StringKey(ArgumentSyntax original, ArgumentSyntax visited)
    {
        var type = _model.GetTypeInfo(original.Expression, _cancellationToken).Type;
        if (type is null || type.SpecialType == SpecialType.System_String)
        {
            return visited;
        }

        return visited.WithExpression(InvocationExpression(
            MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Parenthesized(visited.Expression), IdentifierName("ToString"))));
    }

    /// <summary>
    /// A Polly callback that returns <c>ValueTask.FromResult(x)</c> (or <c>new ValueTask&lt;T&gt;(x)</c>,
    /// <c>PredicateResult.True()</c>/<c>False()</c>) on every path, made to return <c>x</c>; <see langword="null"/> for an
    /// <c>async</c> callback or one that returns anything else, which is left for the developer.
    /// </summary>
    private static AnonymousFunctionExpressionSyntax? Unwrapped(AnonymousFunctionExpressionSyntax lambda)
    {
        if (lambda.AsyncKeyword != default)
        {
            return null;
        }

        if (lambda.ExpressionBody is { } body)
        {
            return UnwrapValue(body) is { } value ? WithExpressionBody(lambda, value.WithTriviaFrom(body)) : null;
        }

        if (lambda.Block is not { } block)
        {
            return null;
        }

        var returns = block.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax).OfType<ReturnStatementSyntax>().ToList();
        if (returns.Count == 0 || returns.Any(r => r.Expression is null || UnwrapValue(r.Expression) is null))
        {
            return null;
        }

        var newBlock = block.ReplaceNodes(returns, (original, _) => original.WithExpression(UnwrapValue(original.Expression!)!.WithTriviaFrom(original.Expression!)));
        return lambda.WithBlock(newBlock);
    }

    private static AnonymousFunctionExpressionSyntax WithExpressionBody(AnonymousFunctionExpressionSyntax lambda, ExpressionSyntax body) => lambda switch
    {
        SimpleLambdaExpressionSyntax simple => simple.WithExpressionBody(body),
        ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.WithExpressionBody(body),
        _ => lambda,
    };

    private static ExpressionSyntax? UnwrapValue(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        switch (expression)
        {
            case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } invocation:
                var name = member.Name.Identifier.ValueText;
                var owner = member.Expression is MemberAccessExpressionSyntax qualified ? qualified.Name.Identifier.ValueText : member.Expression.ToString();
                if (name == "FromResult" && owner == "ValueTask" && invocation.ArgumentList.Arguments.Count == 1)
                {
                    return invocation.ArgumentList.Arguments[0].Expression;
                }

                if (owner == "PredicateResult" && invocation.ArgumentList.Arguments.Count == 0 && name is "True" or "False")
                {
                    return LiteralExpression(name == "True" ? SyntaxKind.TrueLiteralExpression : SyntaxKind.FalseLiteralExpression);
                }

                return null;
            case ObjectCreationExpressionSyntax { Type: GenericNameSyntax { Identifier.ValueText: "ValueTask" }, ArgumentList.Arguments.Count: 1 } creation:
                return creation.ArgumentList!.Arguments[0].Expression;
            default:
                return null;
        }
    }
}
