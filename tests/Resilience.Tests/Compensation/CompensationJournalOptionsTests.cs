using Resilience.Compensation;
using Resilience.DeadLetter;

namespace Resilience.Tests.Compensation;

public class CompensationJournalOptionsTests
{
    [Fact]
    public void Ctor_Ok()
    {
        var options = new CompensationJournalOptions();

        options.Durability.Should().Be(DurabilityMode.Always);
        options.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(10));
        options.CorruptionHandling.Should().Be(CorruptionHandling.Strict);
        options.SegmentSize.Should().Be(64L * 1024 * 1024);
        options.CompactionThreshold.Should().Be(16L * 1024 * 1024);
        new CompensationOptions().Journal.Should().NotBeNull();
        CompensationOptions.MaxStateBytes.Should().Be(16 * 1024 * 1024);
    }
}
