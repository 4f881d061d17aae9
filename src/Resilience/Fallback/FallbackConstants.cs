namespace Resilience.Fallback;

internal static class FallbackConstants
{
    public const string DefaultName = "Fallback";

    public const string OnFallbackEvent = "OnFallback";
}
