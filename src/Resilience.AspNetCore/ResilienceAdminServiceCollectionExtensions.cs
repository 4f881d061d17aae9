using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Resilience.AspNetCore;
using Resilience.AspNetCore.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers what the Resilience operator endpoints need.
/// </summary>
public static class ResilienceAdminServiceCollectionExtensions
{
    /// <summary>
    /// Registers the operator endpoints' options, antiforgery (for the dashboard's calls), the per-user rate limiting
    /// policy of the mutating endpoints (<see cref="ResilienceAdminOptions.RateLimiterPolicy"/>; call
    /// <c>app.UseRateLimiter()</c>), and a start-up check that the endpoints are mapped safely.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddResilienceAdmin(this IServiceCollection services, Action<ResilienceAdminOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new ResilienceAdminOptions();
        configure?.Invoke(options);
        AdminOptionsValidator.Validate(options);
        services.TryAddSingleton(options);
        services.AddAntiforgery();
        services.AddRateLimiter(limiter => limiter.AddPolicy(ResilienceAdminOptions.RateLimiterPolicy, new PerUserMutationPolicy(options.MutationsPerMinute)));
        services.TryAddSingleton<AdminMappings>();
        services.TryAddSingleton(new AdminServices(services));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AdminMappingValidator>());
        return services;
    }
}
