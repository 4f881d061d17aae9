using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Resilience.AspNetCore.Internal;

/// <summary>
/// Builds the admin endpoints when the host starts, so a group mapped without authorization fails the start (its
/// <c>Finally</c> convention throws) instead of serving operator actions to anyone until the first request.
/// </summary>
internal sealed class AdminMappingValidator(AdminMappings mappings) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var routes in mappings.Routes)
        {
            foreach (var source in routes.DataSources)
            {
                _ = source.Endpoints;
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Where <c>MapResilienceAdmin</c> mapped groups, for <see cref="AdminMappingValidator"/>.</summary>
internal sealed class AdminMappings
{
    private readonly Lock _lock = new();
    private readonly List<IEndpointRouteBuilder> _routes = [];

    public IReadOnlyList<IEndpointRouteBuilder> Routes
    {
        get
        {
            lock (_lock)
            {
                return [.. _routes];
            }
        }
    }

    public void Add(IEndpointRouteBuilder routes)
    {
        lock (_lock)
        {
            if (!_routes.Contains(routes))
            {
                _routes.Add(routes);
            }
        }
    }
}
