// Compiled into every C# snippet of README.md and docs/*.md by DocsSnippetsCompileTests (not into the test assembly).
// It stands for what a real application already has around a snippet: the usual usings, and a few values that a
// snippet uses without declaring. Keep it small: a snippet should declare its own types and services.

// The implicit usings of an ASP.NET Core project (Microsoft.NET.Sdk.Web, a superset of Microsoft.NET.Sdk's) ...
global using System;
global using System.Collections.Generic;
global using System.IO;
global using System.Linq;
global using System.Net.Http;
global using System.Net.Http.Json;
global using System.Threading;
global using System.Threading.Tasks;
global using Microsoft.AspNetCore.Builder;
global using Microsoft.AspNetCore.Hosting;
global using Microsoft.AspNetCore.Http;
global using Microsoft.AspNetCore.Routing;
global using Microsoft.Extensions.Configuration;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Hosting;
global using Microsoft.Extensions.Logging;
// ... and every namespace of the three libraries.
global using Resilience;
global using Resilience.Bulkhead;
global using Resilience.Chaos;
global using Resilience.CircuitBreaker;
global using Resilience.Compensation;
global using Resilience.DeadLetter;
global using Resilience.DependencyInjection;
global using Resilience.Fallback;
global using Resilience.Hedging;
global using Resilience.Http;
global using Resilience.RateLimiting;
global using Resilience.Retry;
global using Resilience.Telemetry;
global using Resilience.Timeout;
global using static DocsAmbient;

/// <summary>Values a snippet may use as if they were in scope (a field, a parameter, an injected service).</summary>
internal static class DocsAmbient
{
    /// <summary>The caller's token, e.g. a request's RequestAborted.</summary>
    public static CancellationToken cancellationToken => CancellationToken.None;

    /// <summary>The class's logger, e.g. an injected ILogger&lt;T&gt;.</summary>
    public static ILogger logger { get; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
}
