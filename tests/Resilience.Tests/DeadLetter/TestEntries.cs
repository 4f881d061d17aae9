using System.Text;
using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter;

internal static class TestEntries
{
    public static DeadLetterEntry Create(int n, int payloadBytes = 100) => new()
    {
        Id = $"entry-{n:D6}",
        OperationType = n % 2 == 0 ? "charge-card" : "send-email",
        CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(n),
        UpdatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(n),
        Error = new DeadLetterError
        {
            Type = "System.Net.Http.HttpRequestException",
            Message = $"failure {n}",
            StackTrace = n % 3 == 0 ? null : "   at Somewhere()",
            Reason = DeadLetterFailureReason.MaxRetriesExceeded,
        },
        Payload = Encoding.UTF8.GetBytes(new string((char)('a' + (n % 26)), payloadBytes)),
        Context = n % 2 == 0 ? new Dictionary<string, string> { ["tenant"] = "t" + n, ["correlation"] = "c" + n } : new Dictionary<string, string>(),
        AttemptCount = n % 5,
        MaxAttempts = 10,
        NextAttemptAt = n % 4 == 0 ? null : new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero),
        Status = DeadLetterStatus.Pending,
    };

    /// <summary>Compares every field, payload and context by content.</summary>
    public static void ShouldMatch(this DeadLetterEntry actual, DeadLetterEntry expected)
    {
        actual.Id.Should().Be(expected.Id);
        actual.OperationType.Should().Be(expected.OperationType);
        actual.CreatedAt.Should().Be(expected.CreatedAt);
        actual.UpdatedAt.Should().Be(expected.UpdatedAt);
        actual.Error.Should().Be(expected.Error);
        actual.Payload.ToArray().Should().Equal(expected.Payload.ToArray());
        actual.Context.Should().BeEquivalentTo(expected.Context);
        actual.AttemptCount.Should().Be(expected.AttemptCount);
        actual.MaxAttempts.Should().Be(expected.MaxAttempts);
        actual.NextAttemptAt.Should().Be(expected.NextAttemptAt);
        actual.Status.Should().Be(expected.Status);
    }
}
