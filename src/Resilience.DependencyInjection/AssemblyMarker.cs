namespace Resilience.DependencyInjection;

/// <summary>
/// Marks the dependency-injection assembly. The service-collection extensions arrive with the DI issue.
/// </summary>
internal static class AssemblyMarker
{
}
