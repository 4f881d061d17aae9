using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Resilience.Migration.Internal;

/// <summary>
/// Recognises Polly v8's symbols by namespace and name (Polly need not be referenced by the analyzer), and knows what
/// each becomes in Resilience. Shared by the analyzer and the rewriter, so what is reported is what is fixed.
/// </summary>
internal static class PollySymbols
{
    public static bool IsPollyNamespace(INamespaceSymbol? ns)
    {
        var name = ns?.ToDisplayString();
        return name is not null && (name == "Polly" || name.StartsWith("Polly.", StringComparison.Ordinal));
    }

    public static bool IsPolly(ISymbol? symbol)
        => symbol is INamespaceSymbol ns ? IsPollyNamespace(ns) : symbol is not null && IsPollyNamespace(symbol.ContainingNamespace);

    /// <summary>Polly's namespace to Resilience's: the strategy namespaces keep their names, Simmy becomes Chaos.</summary>
    public static string MapNamespace(string pollyNamespace)
    {
        if (pollyNamespace == "Polly")
        {
            return "Resilience";
        }

        var rest = pollyNamespace.Substring("Polly.".Length);
        if (rest == "Simmy" || rest.StartsWith("Simmy.", StringComparison.Ordinal))
        {
            return "Resilience.Chaos";
        }

        return rest switch
        {
            "Registry" or "DependencyInjection" => "Resilience.DependencyInjection",
            _ => "Resilience." + rest,
        };
    }

    /// <summary>The type's metadata name without namespace (<c>RetryStrategyOptions`1</c>) when it is Polly's.</summary>
    public static string? PollyTypeName(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named || !IsPolly(named))
        {
            return null;
        }

        return named.OriginalDefinition.MetadataName;
    }

    public static OptionsKind OptionsKindOf(ITypeSymbol? type) => PollyTypeName(type) switch
    {
        "RetryStrategyOptions" or "RetryStrategyOptions`1" => OptionsKind.Retry,
        "CircuitBreakerStrategyOptions" or "CircuitBreakerStrategyOptions`1" => OptionsKind.CircuitBreaker,
        "FallbackStrategyOptions`1" => OptionsKind.Fallback,
        _ => OptionsKind.None,
    };

    public static bool IsPredicateBuilder(ITypeSymbol? type) => PollyTypeName(type) is "PredicateBuilder" or "PredicateBuilder`1";

    public static bool IsPipelineBuilder(ITypeSymbol? type) => PollyTypeName(type) is "ResiliencePipelineBuilder" or "ResiliencePipelineBuilder`1";

    /// <summary>A renamed Polly type: its Resilience name, and whether Resilience's is not generic.</summary>
    public static (string Name, bool DropsTypeArguments)? RenamedType(ITypeSymbol? type) => PollyTypeName(type) switch
    {
        "DelayBackoffType" => ("BackoffType", false),
        "ResiliencePipelineProvider`1" => ("ResiliencePipelineProvider", true),
        "OnCircuitOpenedArguments`1" => ("OnCircuitOpenedArguments", true),
        "OnCircuitClosedArguments`1" => ("CircuitTransitionArguments", true),
        "OnCircuitHalfOpenedArguments" => ("CircuitTransitionArguments", false),
        "AddResiliencePipelineContext`1" => ("ResiliencePipelineBuildContext", true),
        _ => null,
    };

    /// <summary>A Polly property read or written outside an options initializer whose name or meaning changed.</summary>
    public static MemberChange RenamedMember(ISymbol? symbol)
    {
        if (symbol is not IPropertySymbol property || PollyTypeName(property.ContainingType) is not { } type)
        {
            return MemberChange.None;
        }

        return (type, property.Name) switch
        {
            ("OnRetryArguments`1" or "RetryDelayGeneratorArguments`1" or "RetryPredicateArguments`1", "AttemptNumber") => MemberChange.AttemptNumberFromZero,
            ("OnRetryArguments`1", "RetryDelay") => new MemberChange(MemberChangeKind.Rename, "Delay"),
            ("BreakDurationGeneratorArguments", "HalfOpenAttempts") => MemberChange.HalfOpenAttempts,
            ("RetryStrategyOptions`1", "Delay") => new MemberChange(MemberChangeKind.Rename, "BaseDelay"),
            ("RetryStrategyOptions`1", "UseJitter") => MemberChange.UseJitter,
            ("RetryStrategyOptions`1", "MaxDelay") => MemberChange.MaxDelay,
            ("RetryStrategyOptions`1" or "CircuitBreakerStrategyOptions`1" or "FallbackStrategyOptions`1", "ShouldHandle") => MemberChange.ShouldHandle,
            ("CircuitBreakerStrategyOptions`1", "BreakDurationGenerator") => MemberChange.BreakDurationGenerator,
            ("FallbackStrategyOptions`1", "FallbackAction") => MemberChange.FallbackAction,
            ("AddResiliencePipelineContext`1", "ServiceProvider") => new MemberChange(MemberChangeKind.Rename, "Services"),
            ("AddResiliencePipelineContext`1", "PipelineKey") => new MemberChange(MemberChangeKind.Rename, "Name"),
            ("CircuitBreakerStateProvider", "CircuitState") => new MemberChange(MemberChangeKind.Rename, "State"),
            _ => MemberChange.None,
        };
    }

    public static bool IsAddResiliencePipeline(IMethodSymbol? method)
        => method is not null && method.Name == "AddResiliencePipeline" && IsPolly(method.ContainingType);

    public static bool IsProviderGetPipeline(IMethodSymbol? method)
        => method is not null && method.Name == "GetPipeline" && PollyTypeName(method.ContainingType) == "ResiliencePipelineProvider`1";

    public static bool IsValidationException(ITypeSymbol? type)
        => type?.ToDisplayString() == "System.ComponentModel.DataAnnotations.ValidationException";

    /// <summary>Polly's own sources (or stubs of them) are not migrated.</summary>
    public static bool IsInsidePollyDeclaration(SyntaxNode node)
    {
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            if (ancestor is BaseNamespaceDeclarationSyntax ns)
            {
                var name = ns.Name.ToString();
                if (name == "Polly" || name.StartsWith("Polly.", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary>Which Polly strategy options an object creation builds.</summary>
internal enum OptionsKind
{
    None,
    Retry,
    CircuitBreaker,
    Fallback,
}

/// <summary>How a Polly member changes.</summary>
internal enum MemberChangeKind
{
    None,
    Rename,
    AttemptNumberFromZero,
    HalfOpenAttempts,
    UseJitter,
    MaxDelay,
    ShouldHandle,
    BreakDurationGenerator,
    FallbackAction,
}

/// <summary>A Polly member's change: its kind and, for a rename, the new name.</summary>
internal readonly struct MemberChange
{
    public static readonly MemberChange None = new(MemberChangeKind.None, null);
    public static readonly MemberChange AttemptNumberFromZero = new(MemberChangeKind.AttemptNumberFromZero, null);
    public static readonly MemberChange HalfOpenAttempts = new(MemberChangeKind.HalfOpenAttempts, null);
    public static readonly MemberChange UseJitter = new(MemberChangeKind.UseJitter, null);
    public static readonly MemberChange MaxDelay = new(MemberChangeKind.MaxDelay, null);
    public static readonly MemberChange ShouldHandle = new(MemberChangeKind.ShouldHandle, null);
    public static readonly MemberChange BreakDurationGenerator = new(MemberChangeKind.BreakDurationGenerator, null);
    public static readonly MemberChange FallbackAction = new(MemberChangeKind.FallbackAction, null);

    public MemberChange(MemberChangeKind kind, string? newName)
    {
        Kind = kind;
        NewName = newName;
    }

    public MemberChangeKind Kind { get; }

    public string? NewName { get; }

    /// <summary>How the diagnostic describes the change.</summary>
    public string Describe() => Kind switch
    {
        MemberChangeKind.Rename => "'" + NewName + "'",
        MemberChangeKind.AttemptNumberFromZero => "counted from 1 (Polly: from 0), so the fix subtracts 1",
        MemberChangeKind.HalfOpenAttempts => "'ConsecutiveTrips', counted from 1 (Polly's HalfOpenAttempts from 0)",
        MemberChangeKind.UseJitter => "'Jitter' (a JitterMode)",
        MemberChangeKind.MaxDelay => "a TimeSpan with no null (no cap is TimeSpan.FromDays(1))",
        MemberChangeKind.ShouldHandle => "synchronous: 'ShouldHandle' takes the outcome, 'ShouldHandleWithArguments' the arguments",
        MemberChangeKind.BreakDurationGenerator => "synchronous (returns a TimeSpan)",
        MemberChangeKind.FallbackAction => "'FallbackActions', a list",
        _ => "unchanged",
    };
}
