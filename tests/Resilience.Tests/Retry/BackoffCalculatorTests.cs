using Resilience.Retry;
using Resilience.Retry.Internal;

namespace Resilience.Tests.Retry;

public class BackoffCalculatorTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Cap = TimeSpan.FromHours(1);

    public static TheoryData<BackoffType, double[]> Sequences => new()
    {
        { BackoffType.Constant, [1, 1, 1, 1, 1, 1, 1] },
        { BackoffType.Linear, [1, 2, 3, 4, 5, 6, 7] },
        { BackoffType.Exponential, [1, 2, 4, 8, 16, 32, 64] },
        { BackoffType.Fibonacci, [1, 2, 3, 5, 8, 13, 21] },
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Compute_NoJitter_ExactSequence(BackoffType type, double[] expectedSeconds)
    {
        var previous = 0.0;
        var delays = Enumerable.Range(0, expectedSeconds.Length)
            .Select(retry => BackoffCalculator.Compute(type, retry, Base, Cap, JitterMode.None, 0.2, () => 0.5, ref previous).TotalSeconds);

        delays.Should().Equal(expectedSeconds);
    }

    [Fact]
    public void Compute_ExponentialWithCap_StopsAtMaxDelay()
    {
        var previous = 0.0;
        var delays = Enumerable.Range(0, 8)
            .Select(retry => BackoffCalculator.Compute(BackoffType.Exponential, retry, Base, TimeSpan.FromSeconds(10), JitterMode.None, 0.2, () => 0, ref previous).TotalSeconds);

        delays.Should().Equal(1, 2, 4, 8, 10, 10, 10, 10);
    }

    [Theory]
    [InlineData(BackoffType.Constant)]
    [InlineData(BackoffType.Linear)]
    [InlineData(BackoffType.Exponential)]
    [InlineData(BackoffType.Fibonacci)]
    [InlineData(BackoffType.DecorrelatedJitter)]
    public void Compute_HugeRetryNumbers_NeverOverflow(BackoffType type)
    {
        var previous = 0.0;
        foreach (var retry in new[] { 64, 1_000, 10_000, int.MaxValue - 1 })
        {
            var delay = BackoffCalculator.Compute(type, retry, Base, Cap, JitterMode.Full, 0.2, () => 0.999, ref previous);

            delay.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero).And.BeLessThanOrEqualTo(Cap);
        }
    }

    [Fact]
    public void Compute_Exponential10000thRetry_IsExactlyTheCap()
    {
        var previous = 0.0;

        BackoffCalculator.Compute(BackoffType.Exponential, 10_000, Base, Cap, JitterMode.None, 0.2, () => 0, ref previous).Should().Be(Cap);
    }

    [Theory]
    [InlineData(JitterMode.Full, 0.0, 1.0)]
    [InlineData(JitterMode.Equal, 0.5, 1.0)]
    [InlineData(JitterMode.Proportional, 0.8, 1.2)]
    public void Compute_Jitter_StaysWithinItsBounds(JitterMode mode, double low, double high)
    {
        var random = new Random(1234);
        var previous = 0.0;
        var factors = Enumerable.Range(0, 2000)
            .Select(_ => BackoffCalculator.Compute(BackoffType.Exponential, 3, Base, Cap, mode, 0.2, random.NextDouble, ref previous).TotalSeconds / 8)
            .ToList();

        factors.Should().OnlyContain(f => f >= low && f <= high);
        factors.Min().Should().BeLessThan(low + 0.05, "seeded samples spread over the whole range");
        factors.Max().Should().BeGreaterThan(high - 0.05);
    }

    [Fact]
    public void Compute_FullJitter_IsUniformUpToTheCappedDelay()
    {
        var previous = 0.0;

        // Retry 9 of base 1 s is 512 s uncapped: full jitter is random(0, min(30 s, 512 s)), so the middle is 15 s.
        var delay = BackoffCalculator.Compute(BackoffType.Exponential, 9, Base, TimeSpan.FromSeconds(30), JitterMode.Full, 0.2, () => 0.5, ref previous);

        delay.Should().Be(TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData(JitterMode.Full, 0.0)]
    [InlineData(JitterMode.Equal, 0.5)]
    [InlineData(JitterMode.Proportional, 0.0)]
    public void Compute_JitterAtTheCap_SpreadsBelowTheCapInsteadOfCollapsingOnIt(JitterMode mode, double lowFraction)
    {
        var cap = TimeSpan.FromSeconds(30);
        var random = new Random(42);
        var previous = 0.0;
        var delays = Enumerable.Range(0, 2000)
            .Select(_ => BackoffCalculator.Compute(BackoffType.Exponential, 9, Base, cap, mode, 0.2, random.NextDouble, ref previous))
            .ToList();

        delays.Should().OnlyContain(d => d <= cap, "the cap holds after jitter too");
        delays.Should().OnlyContain(d => d >= cap * lowFraction);
        delays.Count(d => d == cap).Should().BeLessThan(20, "at most a rounding's worth of samples sit exactly on the cap");
        delays.Distinct().Count().Should().BeGreaterThan(1900);
    }

    [Fact]
    public void Compute_DecorrelatedJitter_EachDelayBetweenBaseAndThreeTimesThePrevious()
    {
        var random = new Random(99);
        var previous = 0.0;
        var last = Base;
        for (var retry = 0; retry < 50; retry++)
        {
            var delay = BackoffCalculator.Compute(BackoffType.DecorrelatedJitter, retry, Base, TimeSpan.FromSeconds(30), JitterMode.None, 0.2, random.NextDouble, ref previous);

            delay.Should().BeGreaterThanOrEqualTo(Base);
            delay.Should().BeLessThanOrEqualTo(TimeSpan.FromTicks(Math.Min(last.Ticks * 3, TimeSpan.FromSeconds(30).Ticks)));
            last = delay;
        }
    }
}
