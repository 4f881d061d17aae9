using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Resilience.DeadLetter;
using Resilience.DeadLetter.Internal;

namespace Resilience.AspNetCore.Internal;

/// <summary>
/// Dead letters: summary by failure group, query, one entry, and replay/discard/archive/restore of one entry or of
/// every entry matching a filter (with a dry-run count first).
/// </summary>
internal static class DeadLetterEndpoints
{
    private static readonly string[] BulkKeys = ["dryRun", "rate"];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/dead-letters/summary", Summary).WithName("Resilience.DeadLetters.Summary").Produces<DeadLetterSummaryDto>().ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/dead-letters", Query).WithName("Resilience.DeadLetters.Query").Produces<DeadLetterPageDto>().ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/dead-letters/{id}", Get).WithName("Resilience.DeadLetters.Get").Produces<DeadLetterEntryDto>().ProducesProblem(StatusCodes.Status404NotFound);

        MapOne(api.MapPost("/dead-letters/{id}/replay", (HttpContext c, string id) => OneAsync(c, id, DeadLetterBulkAction.Replay)), "Replay");
        MapOne(api.MapPost("/dead-letters/{id}/archive", (HttpContext c, string id) => OneAsync(c, id, DeadLetterBulkAction.Archive)), "Archive");
        MapOne(api.MapPost("/dead-letters/{id}/restore", (HttpContext c, string id) => OneAsync(c, id, DeadLetterBulkAction.Restore)), "Restore");
        MapOne(api.MapDelete("/dead-letters/{id}", (HttpContext c, string id) => OneAsync(c, id, DeadLetterBulkAction.Discard)), "Discard");

        MapBulk(api.MapPost("/dead-letters/replay", (HttpContext c, CancellationToken _) => BulkAsync(c, DeadLetterBulkAction.Replay)), "Replay");
        MapBulk(api.MapPost("/dead-letters/discard", (HttpContext c, CancellationToken _) => BulkAsync(c, DeadLetterBulkAction.Discard)), "Discard");
        MapBulk(api.MapPost("/dead-letters/archive", (HttpContext c, CancellationToken _) => BulkAsync(c, DeadLetterBulkAction.Archive)), "Archive");
        MapBulk(api.MapPost("/dead-letters/restore", (HttpContext c, CancellationToken _) => BulkAsync(c, DeadLetterBulkAction.Restore)), "Restore");
    }

    private static void MapOne(RouteHandlerBuilder builder, string action)
        => builder.WithName("Resilience.DeadLetters." + action).Produces<DeadLetterEntryDto>()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).AsMutation();

    private static void MapBulk(RouteHandlerBuilder builder, string action)
        => builder.WithName("Resilience.DeadLetters." + action + "Matching").Produces<BulkResultDto>()
            .ProducesProblem(StatusCodes.Status409Conflict).AsMutation();

    private static async Task<IResult> Summary(HttpContext context, CancellationToken cancellationToken)
    {
        if (!TryQueue(context, out var queue, out var problem) || !TryFilter(context, ["groupBy"], out var filter, out problem))
        {
            return problem!;
        }

        var groupBy = DeadLetterFilterParser.Text(context.Request.Query, "groupBy") ?? nameof(DeadLetterGrouping.FailureGroup);
        if (!Enum.TryParse<DeadLetterGrouping>(groupBy, ignoreCase: true, out var grouping) || !Enum.IsDefined(grouping) || int.TryParse(groupBy, out _))
        {
            return AdminProblems.BadRequest($"groupBy must be one of {string.Join(", ", Enum.GetNames<DeadLetterGrouping>())}, not '{groupBy}'.");
        }

        var groups = await queue!.SummarizeAsync(grouping, filter, cancellationToken).ConfigureAwait(false);
        var dto = new DeadLetterSummaryDto(
            grouping.ToString(),
            [.. groups.Select(g => new DeadLetterGroupDto(g.Key, g.Count, g.FirstFailedAt, g.LastFailedAt, g.ErrorType, g.LatestMessage, g.OperationType))],
            StatusEndpoints.Statistics(queue.GetStatistics()));
        return TypedResults.Json(dto, AdminJsonContext.Default.DeadLetterSummaryDto);
    }

    private static async Task<IResult> Query(HttpContext context, CancellationToken cancellationToken)
    {
        if (!TryQueue(context, out var queue, out var problem) || !TryFilter(context, [], out var filter, out problem))
        {
            return problem!;
        }

        // Asynchronous: a database store answers it with one count and one page, not by reading every entry.
        var page = await queue!.QueryAsync(filter, cancellationToken).ConfigureAwait(false);
        var dto = new DeadLetterPageDto([.. page.Entries.Select(e => Describe(context, queue, e, withPayload: false))], page.TotalMatches, filter.Skip, filter.Take, page.DamagedIds);
        return TypedResults.Json(dto, AdminJsonContext.Default.DeadLetterPageDto);
    }

    private static IResult Get(HttpContext context, string id)
    {
        if (!TryQueue(context, out var queue, out var problem) || !TryEntry(queue!, id, out var entry, out problem))
        {
            return problem!;
        }

        return TypedResults.Json(Describe(context, queue!, entry!, withPayload: true), AdminJsonContext.Default.DeadLetterEntryDto);
    }

    private static async Task<IResult> OneAsync(HttpContext context, string id, DeadLetterBulkAction action)
    {
        var name = "dead-letter." + action.ToString().ToLowerInvariant();
        var damaged = false;
        if (!TryQueue(context, out var queue, out var problem)
            || (!TryEntry(queue!, id, out _, out problem, out damaged) && !(damaged && action == DeadLetterBulkAction.Discard)))
        {
            return Rejected(context, name, id, problem!);
        }

        var query = context.Request.Query;
        var error = string.Empty;
        if (query.Keys.Any(k => !string.Equals(k, "version", StringComparison.OrdinalIgnoreCase)))
        {
            return Rejected(context, name, id, AdminProblems.BadRequest("Only 'version' may be given for an action on one entry."));
        }

        if (!DeadLetterFilterParser.TryLong(query, "version", out var version, ref error))
        {
            return Rejected(context, name, id, AdminProblems.BadRequest(error));
        }

        if (damaged)
        {
            return await RemoveDamagedAsync(context, queue!, name, id, version).ConfigureAwait(false);
        }

        DeadLetterEntry changed;
        try
        {
            // The version is checked inside the store's conditional update, so an entry that changes between this
            // call's read and its write is refused rather than acted on in a state the operator did not see.
            changed = await queue!.ActAtVersionAsync(id, action, version, context.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            return Rejected(context, name, id, AdminProblems.NotFound($"No dead letter has the id '{id}' (it was removed meanwhile)."));
        }
        catch (DeadLetterVersionConflictException ex)
        {
            return Rejected(context, name, id, AdminProblems.Conflict(ex.Message + " Read it again and retry."));
        }
        catch (InvalidOperationException ex)
        {
            return Rejected(context, name, id, AdminProblems.Conflict(ex.Message));
        }

        AdminMutation.Audit(context, name, "dead-letter:" + id, 1);
        return TypedResults.Json(Describe(context, queue, changed, withPayload: false), AdminJsonContext.Default.DeadLetterEntryDto);
    }

    /// <summary>A discard of an entry whose record is damaged deletes it: it can be neither read nor marked.</summary>
    private static async Task<IResult> RemoveDamagedAsync(HttpContext context, DeadLetterQueue queue, string name, string id, long? version)
    {
        try
        {
            await queue.RemoveDamagedAsync(id, version, context.RequestAborted).ConfigureAwait(false);
        }
        catch (KeyNotFoundException)
        {
            return Rejected(context, name, id, AdminProblems.NotFound($"No dead letter has the id '{id}' (it was removed meanwhile)."));
        }
        catch (DeadLetterVersionConflictException ex)
        {
            return Rejected(context, name, id, AdminProblems.Conflict(ex.Message + " Read the page again and retry."));
        }

        AdminMutation.Audit(context, name, "dead-letter:" + id, 1);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> BulkAsync(HttpContext context, DeadLetterBulkAction action)
    {
        var name = "dead-letter." + action.ToString().ToLowerInvariant() + "-matching";
        var target = "dead-letters" + context.Request.QueryString.Value;
        if (!TryQueue(context, out var queue, out var problem) || !TryFilter(context, BulkKeys, out var filter, out problem))
        {
            return Rejected(context, name, target, problem!);
        }

        var query = context.Request.Query;
        var error = string.Empty;
        if (query.ContainsKey("skip") || query.ContainsKey("take"))
        {
            return Rejected(context, name, target, AdminProblems.BadRequest("skip and take do not apply to an action on matching entries: it affects every match."));
        }

        if (!DeadLetterFilterParser.TryBool(query, "dryRun", out var dryRun, ref error))
        {
            return Rejected(context, name, target, AdminProblems.BadRequest(error));
        }

        var options = AdminServices.Options(context);
        var rate = options.MaxReplayPerSecond;
        if (DeadLetterFilterParser.Text(query, "rate") is { } rateText)
        {
            if (action != DeadLetterBulkAction.Replay)
            {
                return Rejected(context, name, target, AdminProblems.BadRequest("rate applies to replay only."));
            }

            if (!double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out rate) || !double.IsFinite(rate) || rate < 0.001 || rate > options.MaxReplayPerSecond)
            {
                return Rejected(context, name, target, AdminProblems.BadRequest($"rate must be a number of entries per second from 0.001 to {options.MaxReplayPerSecond.ToString(CultureInfo.InvariantCulture)} (ResilienceAdminOptions.MaxReplayPerSecond), not '{rateText}'."));
            }
        }

        if (dryRun)
        {
            var wouldChange = await queue!.CountMatchingAsync(action, filter, context.RequestAborted).ConfigureAwait(false);
            AdminMutation.AuditDryRun(context, name, target, wouldChange);
            return TypedResults.Json(new BulkResultDto(action.ToString(), DryRun: true, wouldChange), AdminJsonContext.Default.BulkResultDto);
        }

        int count;
        try
        {
            count = action switch
            {
                DeadLetterBulkAction.Replay => await queue!.ReplayMatchingAsync(filter, rate, context.RequestAborted).ConfigureAwait(false),
                DeadLetterBulkAction.Discard => await queue!.DiscardMatchingAsync(filter, context.RequestAborted).ConfigureAwait(false),
                DeadLetterBulkAction.Archive => await queue!.ArchiveMatchingAsync(filter, context.RequestAborted).ConfigureAwait(false),
                _ => await queue!.RestoreMatchingAsync(filter, context.RequestAborted).ConfigureAwait(false),
            };
        }
        catch (InvalidOperationException ex)
        {
            return Rejected(context, name, target, AdminProblems.Conflict(ex.Message + " Nothing was changed."));
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return Rejected(context, name, target, AdminProblems.BadRequest(ex.Message));
        }

        AdminMutation.Audit(context, name, target, count);
        return TypedResults.Json(new BulkResultDto(action.ToString(), DryRun: false, count), AdminJsonContext.Default.BulkResultDto);
    }

    private static IResult Rejected(HttpContext context, string action, string target, IResult problem)
    {
        var status = problem is IStatusCodeHttpResult { StatusCode: { } code } ? code : 0;
        AdminMutation.AuditRejected(context, action, target, status, "rejected");
        return problem;
    }

    private static DeadLetterEntryDto Describe(HttpContext context, DeadLetterQueue queue, DeadLetterEntry e, bool withPayload)
    {
        var reveal = withPayload ? AdminServices.Options(context).RevealPayload : null;
        var payload = reveal?.Invoke(e);
        return new DeadLetterEntryDto(
            e.Id,
            e.OperationType,
            e.Status.ToString(),
            e.Version,
            e.CreatedAt,
            e.UpdatedAt,
            e.AttemptCount,
            e.MaxAttempts,
            e.NextAttemptAt,
            queue.FailureGroupOf(e),
            e.FirstFailedAt,
            e.LastFailedAt,
            e.ReplayCount,
            e.LastReplayedAt,
            new DeadLetterErrorDto(e.Error.Type, e.Error.Message, withPayload ? e.Error.StackTrace : null, e.Error.Reason.ToString()),
            e.Context,
            e.Payload.Length,
            payload,
            PayloadHidden: payload is null);
    }

    private static bool TryQueue(HttpContext context, out DeadLetterQueue? queue, out IResult? problem)
    {
        queue = AdminServices.DeadLetters(context);
        problem = queue is null ? AdminProblems.NotFound("No dead letter queue is registered (services.AddDeadLetterQueue).") : null;
        return queue is not null;
    }

    private static bool TryFilter(HttpContext context, IReadOnlyCollection<string> endpointKeys, out DeadLetterQuery filter, out IResult? problem)
    {
        var ok = DeadLetterFilterParser.TryParse(context.Request.Query, AdminServices.Options(context).MaxPageSize, endpointKeys, out filter, out var error);
        problem = ok ? null : AdminProblems.BadRequest(error);
        return ok;
    }

    private static bool TryEntry(DeadLetterQueue queue, string id, out DeadLetterEntry? entry, out IResult? problem)
        => TryEntry(queue, id, out entry, out problem, out _);

    // damaged: the entry exists but its record no longer verifies (the problem says so).
    private static bool TryEntry(DeadLetterQueue queue, string id, out DeadLetterEntry? entry, out IResult? problem, out bool damaged)
    {
        entry = null;
        problem = null;
        damaged = false;
        if (!DeadLetterId.IsValid(id))
        {
            problem = AdminProblems.BadRequest($"'{id[..Math.Min(id.Length, 40)]}' is not a dead letter id (26 characters of Crockford base 32).");
            return false;
        }

        try
        {
            entry = queue.Get(id);
        }
        catch (DeadLetterStoreCorruptedException ex)
        {
            damaged = true;
            problem = AdminProblems.Problem(
                StatusCodes.Status422UnprocessableEntity,
                "Damaged record",
                $"The record of dead letter '{id}' is damaged on disk and no longer verifies ({ex.Message}): it cannot be read, replayed, archived or restored. A DELETE of this entry removes it.");
            return false;
        }

        if (entry is null)
        {
            problem = AdminProblems.NotFound($"No dead letter has the id '{id}'.");
            return false;
        }

        return true;
    }
}
