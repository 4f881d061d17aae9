using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Resilience.AspNetCore;
using Resilience.AspNetCore.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Maps the Resilience operator endpoints and dashboard.
/// </summary>
public static class ResilienceAdminEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the operator endpoints (JSON under <c>{prefix}/api/</c>) and the dashboard page (<c>{prefix}/</c>). Chain
    /// <c>.RequireAuthorization(...)</c> on the returned group: the host refuses to start unless the group requires
    /// authorization, or <see cref="AllowAnonymousInDevelopment"/> was called and the environment is Development.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The path prefix, for example <c>"/resilience"</c>.</param>
    /// <returns>The group, for authorization and other conventions.</returns>
    /// <exception cref="InvalidOperationException"><c>services.AddResilienceAdmin()</c> was not called.</exception>
    public static RouteGroupBuilder MapResilienceAdmin(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var mappings = endpoints.ServiceProvider.GetService<AdminMappings>()
            ?? throw new InvalidOperationException("MapResilienceAdmin needs services.AddResilienceAdmin() (and app.UseRateLimiter() for its per-user limit).");
        mappings.Add(endpoints);

        var group = endpoints.MapGroup(prefix);
        group.WithTags("Resilience");
        ((IEndpointConventionBuilder)group).Finally(RefuseUnprotected);
        DashboardEndpoints.Map(group);
        var api = group.MapGroup("/api");
        StatusEndpoints.Map(api);
        BreakerEndpoints.Map(api);
        DeadLetterEndpoints.Map(api);
        CompensationEndpoints.Map(api);
        RecoveryEndpoints.Map(api);
        return group;
    }

    /// <summary>
    /// Lets the group run without authorization, in the Development environment only (anywhere else the host refuses
    /// to start): for trying the dashboard on a workstation.
    /// </summary>
    /// <param name="group">The group <see cref="MapResilienceAdmin"/> returned.</param>
    /// <returns>The group.</returns>
    public static RouteGroupBuilder AllowAnonymousInDevelopment(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.WithMetadata(AnonymousInDevelopment.Instance);
        return group;
    }

    private static void RefuseUnprotected(EndpointBuilder builder)
    {
        var metadata = builder.Metadata;
        var allowsAnonymous = metadata.OfType<IAllowAnonymous>().Any();
        if (metadata.OfType<IAuthorizeData>().Any() && !allowsAnonymous)
        {
            return;
        }

        if (metadata.Contains(AnonymousInDevelopment.Instance) && builder.ApplicationServices.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            return;
        }

        throw new InvalidOperationException(
            $"The Resilience admin endpoint '{builder.DisplayName}' is not protected: chain .RequireAuthorization(\"your-policy\") on MapResilienceAdmin(...)"
            + (allowsAnonymous ? " and do not call AllowAnonymous() on it" : string.Empty)
            + ", or call .AllowAnonymousInDevelopment() to try it without sign-in in the Development environment only.");
    }

    /// <summary>The marker <see cref="AllowAnonymousInDevelopment"/> puts on the group's endpoints.</summary>
    private sealed class AnonymousInDevelopment
    {
        public static readonly AnonymousInDevelopment Instance = new();
    }
}
