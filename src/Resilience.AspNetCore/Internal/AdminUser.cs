using Microsoft.AspNetCore.Http;

namespace Resilience.AspNetCore.Internal;

/// <summary>Who made a call, for the audit log and the per-user rate limit.</summary>
internal static class AdminUser
{
    public static string Of(HttpContext context)
        => context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? name
            : "anonymous@" + (context.Connection.RemoteIpAddress?.ToString() ?? "local");
}
