namespace Resilience.Tests.DeadLetter.Contract;

/// <summary>The in-memory and file stores run everywhere.</summary>
internal static class ContractEnvironment
{
    public static string? SkipReason => null;
}
