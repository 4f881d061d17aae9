using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Resilience.DeadLetter;

namespace Resilience.DependencyInjection;

/// <summary>
/// Adds the dead letter queue's health check when the health check options are first read, so it is there whether
/// <c>AddDeadLetterQueue</c> was called before or after <c>AddResilienceHealthChecks</c>.
/// </summary>
internal sealed class DeadLetterHealthCheckRegistration : IConfigureOptions<HealthCheckServiceOptions>
{
    public const string Name = "resilience-dead-letter-queue";

    private readonly IServiceProviderIsService _services;

    public DeadLetterHealthCheckRegistration(IServiceProviderIsService services) => _services = services;

    public void Configure(HealthCheckServiceOptions options)
    {
        if (_services.IsService(typeof(DeadLetterQueue)) && !options.Registrations.Any(r => r.Name == Name))
        {
            options.Registrations.Add(new HealthCheckRegistration(
                Name,
                static sp => ActivatorUtilities.CreateInstance<DeadLetterQueueHealthCheck>(sp),
                HealthStatus.Unhealthy,
                ["resilience"]));
        }
    }
}
