using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Resilience.Compensation;
using Resilience.DeadLetter;

namespace Resilience.AspNetCore.Internal;

/// <summary>Compensations: the manager's counts, the rollbacks parked in the dead letter queue, and resume.</summary>
internal static class CompensationEndpoints
{
    private const int MaxParkedListed = 500;
    private const int MaxOperationIdLength = 256;

    private static readonly DeadLetterStatus[] LiveParkedStatuses = [DeadLetterStatus.Pending, DeadLetterStatus.Retrying, DeadLetterStatus.Exhausted];

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/compensations", ListAsync).WithName("Resilience.Compensations.List").Produces<CompensationsDto>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/compensations/{operationId}/resume", ResumeAsync).WithName("Resilience.Compensations.Resume")
            .Produces<CompensationResumeDto>().ProducesProblem(StatusCodes.Status404NotFound).AsMutation();
    }

    private static async Task<IResult> ListAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (AdminServices.Compensations(context) is not { } manager)
        {
            return AdminProblems.NotFound("No compensation manager is registered (services.AddCompensationManager).");
        }

        var statistics = manager.GetStatistics();
        IReadOnlyList<ParkedCompensationDto> parked = [];
        if (AdminServices.DeadLetters(context) is { } queue)
        {
            // One query per live status, so settled entries (recovered, discarded: any number of them) never fill the
            // page ahead of rollbacks still parked. Asynchronous, so over a database store (pushed down) no request
            // thread waits on it.
            var live = new List<DeadLetterEntry>();
            foreach (var status in LiveParkedStatuses)
            {
                var page = await queue.QueryAsync(new DeadLetterQuery { OperationType = CompensationManager.ParkedOperationType, Status = status, Take = MaxParkedListed }, cancellationToken).ConfigureAwait(false);
                live.AddRange(page.Entries);
            }

            parked = [.. live
                .OrderBy(static e => e.CreatedAt)
                .ThenBy(static e => e.Id, StringComparer.Ordinal)
                .Take(MaxParkedListed)
                .Select(e => new ParkedCompensationDto(e.Id, e.Context.GetValueOrDefault("operationId"), e.Status.ToString(), e.CreatedAt, e.Error.Message))];
        }

        var dto = new CompensationsDto(statistics.TotalRegistered, statistics.TotalExecuted, statistics.TotalSuccessful, statistics.TotalFailed, statistics.PendingOperations, parked);
        return TypedResults.Json(dto, AdminJsonContext.Default.CompensationsDto);
    }

    private static async Task<IResult> ResumeAsync(HttpContext context, string operationId)
    {
        if (operationId.Length > MaxOperationIdLength || operationId.Any(char.IsControl))
        {
            return AdminProblems.BadRequest($"'{operationId[..Math.Min(operationId.Length, 40)]}' is not an operation id (at most {MaxOperationIdLength} printable characters).");
        }

        if (AdminServices.Compensations(context) is not { } manager)
        {
            return AdminProblems.NotFound("No compensation manager is registered (services.AddCompensationManager).");
        }

        CompensationResult result;
        try
        {
            result = await manager.ResumeAsync(operationId, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            return AdminProblems.Conflict(ex.Message);
        }

        if (result.Steps.Count == 0 && result.ParkedEntryId is null && result.LostSteps.Count == 0)
        {
            return AdminProblems.NotFound($"Nothing to resume for operation '{operationId}': it is unknown, finished, or its scope is still open.");
        }

        AdminMutation.Audit(context, "compensation.resume", "operation:" + operationId, result.Steps.Count);
        return TypedResults.Json(new CompensationResumeDto(operationId, result.Succeeded, result.Steps.Count, result.ParkedEntryId, result.LostSteps), AdminJsonContext.Default.CompensationResumeDto);
    }
}
