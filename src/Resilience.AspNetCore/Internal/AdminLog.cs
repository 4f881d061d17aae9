using Microsoft.Extensions.Logging;

namespace Resilience.AspNetCore.Internal;

/// <summary>
/// The audit log of operator actions (category <c>Resilience.AspNetCore.Admin</c>): who did what to which target and
/// how many entries it affected. The event ids are stable, for alerting and log queries.
/// </summary>
internal static partial class AdminLog
{
    public const string Category = "Resilience.AspNetCore.Admin";

    [LoggerMessage(EventId = 900, EventName = "ResilienceAdminAction", Level = LogLevel.Warning, Message = "Operator {User} ran {Action} on {Target}: {Count} affected")]
    public static partial void Action(ILogger logger, string user, string action, string target, int count);

    [LoggerMessage(EventId = 901, EventName = "ResilienceAdminDryRun", Level = LogLevel.Information, Message = "Operator {User} counted {Action} on {Target}: {Count} would be affected")]
    public static partial void DryRun(ILogger logger, string user, string action, string target, int count);

    [LoggerMessage(EventId = 902, EventName = "ResilienceAdminRejected", Level = LogLevel.Warning, Message = "Operator {User} was refused {Action} on {Target}: {Status} {Reason}")]
    public static partial void Rejected(ILogger logger, string user, string action, string target, int status, string reason);
}
