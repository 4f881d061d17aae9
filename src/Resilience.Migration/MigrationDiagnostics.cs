using Microsoft.CodeAnalysis;

namespace Resilience.Migration;

/// <summary>
/// The diagnostics the migration analyzer reports, one per kind of Polly v8 usage. All of them are fixed by the same
/// code fix, which migrates the whole file.
/// </summary>
public static class MigrationDiagnostics
{
    /// <summary>The id of <see cref="PollyNamespace"/>.</summary>
    public const string PollyNamespaceId = "RSLM001";

    /// <summary>The id of <see cref="PollyOptions"/>.</summary>
    public const string PollyOptionsId = "RSLM002";

    /// <summary>The id of <see cref="PollyPredicateBuilder"/>.</summary>
    public const string PollyPredicateBuilderId = "RSLM003";

    /// <summary>The id of <see cref="PollyMember"/>.</summary>
    public const string PollyMemberId = "RSLM004";

    /// <summary>The id of <see cref="PollyDependencyInjection"/>.</summary>
    public const string PollyDependencyInjectionId = "RSLM005";

    /// <summary>The id of <see cref="PollyType"/>.</summary>
    public const string PollyTypeId = "RSLM006";

    /// <summary>The id of <see cref="PollyBuilder"/>.</summary>
    public const string PollyBuilderId = "RSLM007";

    private const string Category = "Migration";
    private const string Description = "Polly v8 code that the Resilience migration code fix rewrites, keeping Polly's behaviour.";

    /// <summary>Gets the diagnostic for a <c>using Polly…</c> directive or a name qualified with a Polly namespace.</summary>
    public static DiagnosticDescriptor PollyNamespace { get; } = new DiagnosticDescriptor(
        PollyNamespaceId,
        "Polly namespace",
        "'{0}' is a Polly namespace; its Resilience counterpart is '{1}'",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description);

    /// <summary>Gets the diagnostic for Polly strategy options whose member names or defaults differ from Resilience's.</summary>
    public static DiagnosticDescriptor PollyOptions { get; } = new DiagnosticDescriptor(
        PollyOptionsId,
        "Polly strategy options",
        "'{0}' is Polly's; Resilience's options rename members and change defaults, so the fix writes Polly's values explicitly",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description);

    /// <summary>Gets the diagnostic for Polly's <c>PredicateBuilder</c>.</summary>
    public static DiagnosticDescriptor PollyPredicateBuilder { get; } = new DiagnosticDescriptor(
        PollyPredicateBuilderId,
        "Polly PredicateBuilder",
        "Polly's PredicateBuilder becomes Handle.Exception<T>().Or<T>().OrResult(...) in Resilience",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description);

    /// <summary>Gets the diagnostic for a Polly member that is renamed or counts differently in Resilience.</summary>
    public static DiagnosticDescriptor PollyMember { get; } = new DiagnosticDescriptor(
        PollyMemberId,
        "Polly member renamed or changed",
        "'{0}' is Polly's; in Resilience it is {1}",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description);

    /// <summary>Gets the diagnostic for <c>AddResiliencePipeline</c> from Polly.Extensions.</summary>
    public static DiagnosticDescriptor PollyDependencyInjection { get; } = new DiagnosticDescriptor(
        PollyDependencyInjectionId,
        "Polly.Extensions AddResiliencePipeline",
        "AddResiliencePipeline is Polly.Extensions'; Resilience.DependencyInjection names pipelines by string and always passes (builder, context)",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description);

    /// <summary>Gets the diagnostic for a Polly type that has another name in Resilience.</summary>
    public static DiagnosticDescriptor PollyType { get; } = new DiagnosticDescriptor(
        PollyTypeId,
        "Polly type renamed",
        "'{0}' is Polly's; in Resilience it is '{1}'",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description);

    /// <summary>Gets the diagnostic for Polly's <c>ResiliencePipelineBuilder</c>.</summary>
    public static DiagnosticDescriptor PollyBuilder { get; } = new DiagnosticDescriptor(
        PollyBuilderId,
        "Polly ResiliencePipelineBuilder",
        "'{0}' is Polly's builder; Resilience has one of the same name and shape",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description);

}
