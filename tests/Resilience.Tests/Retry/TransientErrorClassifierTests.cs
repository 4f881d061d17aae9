using System.Net;
using System.Net.Sockets;
using Resilience.Retry;
using Resilience.Timeout;

namespace Resilience.Tests.Retry;

public class TransientErrorClassifierTests
{
    public static TheoryData<Exception, bool> Exceptions => new()
    {
        { new TimeoutRejectedException(), true },
        { new HttpRequestException("no status"), true },
        { new HttpRequestException("408", null, HttpStatusCode.RequestTimeout), true },
        { new HttpRequestException("429", null, HttpStatusCode.TooManyRequests), true },
        { new HttpRequestException("500", null, HttpStatusCode.InternalServerError), true },
        { new HttpRequestException("502", null, HttpStatusCode.BadGateway), true },
        { new HttpRequestException("503", null, HttpStatusCode.ServiceUnavailable), true },
        { new HttpRequestException("504", null, HttpStatusCode.GatewayTimeout), true },
        { new HttpRequestException("400", null, HttpStatusCode.BadRequest), false },
        { new HttpRequestException("401", null, HttpStatusCode.Unauthorized), false },
        { new HttpRequestException("404", null, HttpStatusCode.NotFound), false },
        { new HttpRequestException("501", null, HttpStatusCode.NotImplemented), false },
        { new SocketException(), true },
        { new IOException(), true },
        { new TimeoutException(), true },
        { new TaskCanceledException("HttpClient.Timeout", new TimeoutException()), true },
        { new OperationCanceledException(), false },
        { new ArgumentException(), false },
        { new InvalidOperationException(), false },
        { new NotSupportedException(), false },
        { new UnauthorizedAccessException(), false },
        { new global::Resilience.CircuitBreaker.BrokenCircuitException(), false },
        { new global::Resilience.Bulkhead.BulkheadRejectedException(), false },
        { new global::Resilience.RateLimiting.RateLimiterRejectedException(), false },
    };

    [Fact]
    public void IsTransient_ARejection_AsTheStrategyThatRejectedDeclares()
    {
        // The classifier knows no strategy: a rejection says itself whether trying again may succeed.
        TransientErrorClassifier.IsTransient(new PassingRejection(transient: true)).Should().BeTrue();
        TransientErrorClassifier.IsTransient(new PassingRejection(transient: false)).Should().BeFalse();
        new TimeoutRejectedException().IsTransient.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Exceptions))]
    public void IsTransient_Exception_MatchesTheDocumentedTable(Exception exception, bool transient)
    {
        TransientErrorClassifier.IsTransient(exception).Should().Be(transient);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, false)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.Conflict, false)]
    public void TransientHttpResponses_ResponseStatus_Classified(HttpStatusCode status, bool transient)
    {
        using var response = new HttpResponseMessage(status);

        TransientErrorClassifier.TransientHttpResponses(Outcome.FromResult(response)).Should().Be(transient);
    }

    private sealed class PassingRejection(bool transient) : ExecutionRejectedException("rejected for now")
    {
        public override bool IsTransient => transient;
    }
}
