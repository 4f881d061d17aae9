using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Resilience.Recovery;

namespace Resilience.AspNetCore.Internal;

/// <summary>Recovery workflows: list, trigger by hand, run history, statistics.</summary>
internal static class RecoveryEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/recovery/workflows", List).WithName("Resilience.Recovery.List").Produces<IReadOnlyList<RecoveryWorkflowDto>>();
        api.MapGet("/recovery/workflows/{name}/history", History).WithName("Resilience.Recovery.History")
            .Produces<IReadOnlyList<RecoveryRunDto>>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/recovery/workflows/{name}/statistics", Statistics).WithName("Resilience.Recovery.Statistics")
            .Produces<RecoveryStatisticsDto>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/recovery/workflows/{name}/trigger", Trigger).WithName("Resilience.Recovery.Trigger")
            .Produces<RecoveryTriggerDto>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).AsMutation();
    }

    private static IResult List(HttpContext context)
    {
        IReadOnlyList<RecoveryWorkflowDto> list = [.. AdminServices.Of(context).Workflows(context).Select(Describe)];
        return TypedResults.Json(list, AdminJsonContext.Default.IReadOnlyListRecoveryWorkflowDto);
    }

    private static IResult History(HttpContext context, string name)
    {
        if (Find(context, name) is not { } workflow)
        {
            return Unknown(name);
        }

        IReadOnlyList<RecoveryRunDto> runs = [.. workflow.History.GetRuns(workflow.Name).Select(Describe)];
        return TypedResults.Json(runs, AdminJsonContext.Default.IReadOnlyListRecoveryRunDto);
    }

    private static IResult Statistics(HttpContext context, string name)
        => Find(context, name) is { } workflow
            ? TypedResults.Json(Describe(workflow.GetStatistics()), AdminJsonContext.Default.RecoveryStatisticsDto)
            : Unknown(name);

    private static IResult Trigger(HttpContext context, string name)
    {
        if (Find(context, name) is not { } workflow)
        {
            return Unknown(name);
        }

        var result = workflow.Trigger(RecoveryTrigger.Manual, AdminUser.Of(context));
        if (result.Status != RecoveryTriggerStatus.Started)
        {
            return AdminProblems.Conflict($"Recovery workflow '{name}' was not started: {result.Status}"
                + (result.Reason is { } reason ? $" ({reason})" : string.Empty)
                + (result.NotBefore is { } notBefore ? $"; not before {notBefore:O}" : string.Empty) + ".");
        }

        AdminMutation.Audit(context, "recovery.trigger", "workflow:" + name, 1);
        return TypedResults.Json(new RecoveryTriggerDto(result.Status.ToString(), result.Run?.Id, result.NotBefore, result.Reason), AdminJsonContext.Default.RecoveryTriggerDto, statusCode: StatusCodes.Status202Accepted);
    }

    private static RecoveryWorkflow? Find(HttpContext context, string name)
        => AdminServices.Of(context).Workflows(context).FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.Ordinal));

    private static IResult Unknown(string name) => AdminProblems.NotFound($"No recovery workflow is named '{name[..Math.Min(name.Length, 80)]}'.");

    private static RecoveryWorkflowDto Describe(RecoveryWorkflow w)
    {
        var run = w.CurrentRun;
        return new RecoveryWorkflowDto(w.Name, w.FailureKind, w.StepNames, w.State.ToString(), run?.Id, run?.CurrentStep, Describe(w.GetStatistics()));
    }

    private static RecoveryStatisticsDto Describe(RecoveryWorkflowStatistics s) => new(
        s.WorkflowName,
        s.All.Runs,
        s.All.Succeeded,
        s.All.Failed,
        s.All.Cancelled,
        s.All.SuccessRate,
        s.All.MeanDuration.TotalMilliseconds,
        s.All.P95Duration.TotalMilliseconds);

    private static RecoveryRunDto Describe(RecoveryRunRecord r) => new(
        r.RunId,
        r.Trigger.ToString(),
        r.TriggeredBy,
        r.StartedAt,
        r.EndedAt,
        r.Duration.TotalMilliseconds,
        r.State.ToString(),
        [.. r.Steps.Select(s => new RecoveryStepDto(s.Name, s.Status.ToString(), s.Attempts, s.Duration.TotalMilliseconds, s.Error?.Message))],
        r.Error?.Message);
}
