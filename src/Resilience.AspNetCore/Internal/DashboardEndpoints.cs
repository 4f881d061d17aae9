using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.AspNetCore.Internal;

/// <summary>
/// The dashboard: one page, its script and its style sheet, from embedded resources, under a Content-Security-Policy
/// that allows nothing but this origin's own files (no inline script, no CDN, no framing).
/// </summary>
internal static class DashboardEndpoints
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string TokenPlaceholder = "{{antiforgery-token}}";

    // A page without an icon makes the browser ask the site root for /favicon.ico, outside the group (a 404 there).
    private const string Icon = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><circle cx=\"8\" cy=\"8\" r=\"7\" fill=\"#1d2330\"/><path d=\"M4 8h3l1-3 2 6 1-3h1\" stroke=\"#7fd18b\" fill=\"none\"/></svg>";

    private static readonly Lazy<string> Page = new(() => Read("index.html"));
    private static readonly Lazy<string> Script = new(() => Read("dashboard.js"));
    private static readonly Lazy<string> Style = new(() => Read("dashboard.css"));

    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapGet("/", ServePage).WithName("Resilience.Dashboard").ExcludeFromDescription();
        group.MapGet("/dashboard.js", (HttpContext c) => Serve(c, Script.Value, "text/javascript; charset=utf-8")).ExcludeFromDescription();
        group.MapGet("/dashboard.css", (HttpContext c) => Serve(c, Style.Value, "text/css; charset=utf-8")).ExcludeFromDescription();
        group.MapGet("/favicon.svg", (HttpContext c) => Serve(c, Icon, "image/svg+xml")).ExcludeFromDescription();
    }

    private static IResult ServePage(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (!path.EndsWith('/'))
        {
            // The page's links are relative ("api/status", "dashboard.js"): they resolve under the prefix only from "/prefix/".
            return TypedResults.Redirect(context.Request.PathBase + path + "/" + context.Request.QueryString);
        }

        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var html = Page.Value.Replace(TokenPlaceholder, WebUtility.HtmlEncode(tokens.RequestToken ?? string.Empty), StringComparison.Ordinal);
        return Serve(context, html, "text/html; charset=utf-8");
    }

    private static IResult Serve(HttpContext context, string content, string contentType)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Text(content, contentType);
    }

    private static string Read(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("Resilience.AspNetCore.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard resource '{name}' is missing from {typeof(DashboardEndpoints).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
