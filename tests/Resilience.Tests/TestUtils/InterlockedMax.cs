namespace Resilience.Tests.TestUtils;

/// <summary>Tracks the highest value a concurrently updated counter reached.</summary>
internal static class InterlockedMax
{
    public static void Update(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
