using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Resilience.Recovery;

namespace Resilience.DependencyInjection;

/// <summary>The options type whose start-time validation builds every registered workflow and the monitor.</summary>
internal sealed class RecoveryStartupCheck
{
}

/// <summary>
/// Builds every registered recovery workflow and the monitor when the host starts (<c>ValidateOnStart</c>), so a bad
/// option or a signal naming an unknown workflow or health check stops the start with every problem, each naming its
/// workflow, step or signal, instead of surfacing at the first failure in production.
/// </summary>
internal sealed class RecoveryStartupValidator(IServiceProvider services) : IValidateOptions<RecoveryStartupCheck>
{
    public ValidateOptionsResult Validate(string? name, RecoveryStartupCheck options)
    {
        var failures = new List<string>();
        foreach (var registration in services.GetServices<RecoveryWorkflowRegistration>())
        {
            try
            {
                _ = services.GetRequiredKeyedService<RecoveryWorkflow>(registration.Name);
            }
            catch (ArgumentException ex)
            {
                failures.Add(ex.Message);
            }
        }

        if (failures.Count == 0 && services.GetService<RecoveryMonitorRegistration>() is not null)
        {
            try
            {
                _ = services.GetRequiredService<RecoveryMonitor>();
            }
            catch (ArgumentException ex)
            {
                failures.Add(ex.Message);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Marks that <c>AddRecoveryMonitor</c> was called.</summary>
internal sealed class RecoveryMonitorRegistration
{
}
