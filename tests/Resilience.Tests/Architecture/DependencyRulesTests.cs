namespace Resilience.Tests.Architecture;

/// <summary>
/// The dependency rules of docs/contributing.md, checked on the compiled assembly: core execution types (the root
/// folder, Pipeline/, Internal/) use no strategy or composite folder; a strategy folder uses core and Telemetry only,
/// never another strategy; Telemetry uses core only. DeadLetter/ and Compensation/ may use strategies.
/// </summary>
public class DependencyRulesTests
{
    private static readonly string[] Core = [string.Empty, "Pipeline", "Internal"];
    private static readonly string[] Strategies = ["Retry", "CircuitBreaker", "Timeout", "Fallback", "Bulkhead", "RateLimiting", "Hedging", "Chaos", "CacheFallback"];
    private static readonly string[] Composites = ["DeadLetter", "Compensation", "Recovery"];
    private const string Telemetry = "Telemetry";

    private static readonly Lazy<List<(string From, string FromFolder, string To, string ToFolder)>> Uses = new(() =>
    {
        var folders = new HashSet<string>([.. Core, .. Strategies, .. Composites, Telemetry], StringComparer.Ordinal);
        return [.. AssemblyDependencies.Load(typeof(ResiliencePipeline).Assembly, folders).CrossFolderUses()];
    });

    [Fact]
    public void Analysis_SeesTheKnownUsesItMustFind()
    {
        // A rule test that sees nothing passes for the wrong reason: these uses are allowed and must be found.
        Uses.Value.Should().Contain(u => u.FromFolder == "Retry" && u.ToFolder == string.Empty, "the retry strategy derives from core's ResilienceStrategy");
        Uses.Value.Should().Contain(u => u.FromFolder == "DeadLetter" && u.ToFolder == "Retry", "the dead letter processor backs off with the retry's calculator");
        Uses.Value.Should().Contain(u => u.FromFolder == "Retry" && u.ToFolder == Telemetry, "strategies report to telemetry");
    }

    [Fact]
    public void StrategyFolders_NeverUseEachOther()
    {
        Violations(from => Strategies.Contains(from), (from, to) => Strategies.Contains(to) || Composites.Contains(to)).Should().BeEmpty();
    }

    [Fact]
    public void CoreExecutionTypes_UseNoStrategyFolder()
    {
        Violations(from => Core.Contains(from), (_, to) => Strategies.Contains(to) || Composites.Contains(to)).Should().BeEmpty();
    }

    [Fact]
    public void Telemetry_UsesNothingOfTheStrategies()
    {
        Violations(from => from == Telemetry, (_, to) => Strategies.Contains(to) || Composites.Contains(to)).Should().BeEmpty();
    }

    private static List<string> Violations(Func<string, bool> fromFolder, Func<string, string, bool> forbidden)
        => [.. Uses.Value
            .Where(u => fromFolder(u.FromFolder) && forbidden(u.FromFolder, u.ToFolder))
            .Select(u => $"{u.From} ({Display(u.FromFolder)}) uses {u.To} ({Display(u.ToFolder)})")
            .Distinct()
            .Order(StringComparer.Ordinal)];

    private static string Display(string folder) => folder.Length == 0 ? "core" : folder + "/";
}
