using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Resilience.AspNetCore.Internal;

/// <summary>What every mutating endpoint gets: the per-user rate limit, antiforgery for browser calls, an audit trail.</summary>
internal static class AdminMutation
{
    public static RouteHandlerBuilder AsMutation(this RouteHandlerBuilder builder)
        => builder
            .RequireRateLimiting(ResilienceAdminOptions.RateLimiterPolicy)
            .AddEndpointFilter(ValidateAntiforgeryAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    public static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);

    public static void Audit(HttpContext context, string action, string target, int count)
    {
        var logger = Logger(context);
        if (logger.IsEnabled(LogLevel.Warning))
        {
            AdminLog.Action(logger, AdminUser.Of(context), action, target, count);
        }
    }

    public static void AuditDryRun(HttpContext context, string action, string target, int count)
    {
        var logger = Logger(context);
        if (logger.IsEnabled(LogLevel.Information))
        {
            var user = AdminUser.Of(context);
            AdminLog.DryRun(logger, user, action, target, count);
        }
    }

    public static void AuditRejected(HttpContext context, string action, string target, int status, string reason)
    {
        var logger = Logger(context);
        if (logger.IsEnabled(LogLevel.Warning))
        {
            AdminLog.Rejected(logger, AdminUser.Of(context), action, target, status, reason);
        }
    }

    /// <summary>
    /// A call that carries cookies may come from a page the operator did not mean to act from (cookies ride along on
    /// any cross-site request), so it must prove it came from the dashboard with the antiforgery token. A call without
    /// cookies (a script with a bearer token or API key header) cannot be forged that way and is not asked for one.
    /// </summary>
    private static async ValueTask<object?> ValidateAntiforgeryAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.Cookies.Count > 0)
        {
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            try
            {
                await antiforgery.ValidateRequestAsync(http).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException ex)
            {
                AuditRejected(http, http.Request.Method, http.Request.Path.Value ?? string.Empty, StatusCodes.Status400BadRequest, "antiforgery");
                return AdminProblems.BadRequest("The antiforgery token is missing or invalid (send the dashboard's token in the RequestVerificationToken header): " + ex.Message);
            }
        }

        return await next(context).ConfigureAwait(false);
    }
}
