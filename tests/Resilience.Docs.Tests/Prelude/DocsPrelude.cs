// Compiled into every C# snippet of README.md and docs/*.md by DocsSnippetsCompileTests (not into the test assembly).
// It stands for what a real application already has around a snippet: the usual usings, and a few values that a
// snippet uses without declaring. Keep it small: a snippet should declare its own types and services.
global using System;
global using System.Collections.Generic;
global using System.IO;
global using System.Net.Http;
global using System.Threading;
global using System.Threading.Tasks;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Logging;
global using Resilience;
global using Resilience.Bulkhead;
global using Resilience.CircuitBreaker;
global using Resilience.Compensation;
global using Resilience.DeadLetter;
global using Resilience.DependencyInjection;
global using Resilience.Fallback;
global using Resilience.Http;
global using Resilience.RateLimiting;
global using Resilience.Retry;
global using Resilience.Telemetry;
global using Resilience.Timeout;
global using static DocsAmbient;

/// <summary>Values a snippet may use as if they were in scope (a field, a parameter, an injected service).</summary>
internal static class DocsAmbient
{
    /// <summary>An HTTP client with a base address, as one from IHttpClientFactory.</summary>
    public static HttpClient httpClient { get; } = new() { BaseAddress = new Uri("https://orders.example") };

    /// <summary>The caller's token, e.g. a request's RequestAborted.</summary>
    public static CancellationToken cancellationToken => CancellationToken.None;

    /// <summary>The class's logger, e.g. an injected ILogger&lt;T&gt;.</summary>
    public static ILogger logger { get; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
}
