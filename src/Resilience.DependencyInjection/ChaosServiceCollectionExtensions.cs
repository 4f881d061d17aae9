using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Primitives;
using Resilience.Chaos;
using Resilience.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the application's global chaos switch, bound to the configuration key <c>Resilience:Chaos:Enabled</c>.
/// </summary>
public static class ChaosServiceCollectionExtensions
{
    /// <summary>The configuration key the switch follows.</summary>
    public const string EnabledKey = "Resilience:Chaos:Enabled";

    /// <summary>
    /// Registers one <see cref="ChaosSwitch"/> for the container (once, however often it is called; every
    /// <c>AddResiliencePipeline</c> calls it). It is on only while the container's <see cref="IConfiguration"/> says
    /// <c>true</c> under <see cref="EnabledKey"/>, and follows configuration reloads; a missing key or configuration
    /// means off, so chaos never runs in production by accident.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    /// <remarks>
    /// A value other than <c>true</c> or <c>false</c> fails the resolution of the switch with a message naming the
    /// key; such a value arriving in a reload turns chaos off.
    /// </remarks>
    public static IServiceCollection AddChaosSwitch(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new ChaosSwitchBinding(sp.GetService<IConfiguration>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<ChaosSwitchBinding>().Switch);
        return services;
    }

    /// <summary>
    /// Gets the container's chaos switch, to pass to <see cref="ChaosStrategyOptions.Switch"/>; a switch that stays
    /// off when none is registered.
    /// </summary>
    /// <param name="context">The pipeline's build context.</param>
    /// <returns>The switch.</returns>
    public static ChaosSwitch ChaosSwitch(this ResiliencePipelineBuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Services.GetService<ChaosSwitch>() ?? new ChaosSwitch();
    }

    /// <summary>Owns the switch and its configuration subscription; the container disposes it.</summary>
    internal sealed class ChaosSwitchBinding : IDisposable
    {
        private readonly IDisposable? _subscription;

        public ChaosSwitchBinding(IConfiguration? configuration)
        {
            Switch = new ChaosSwitch(Read(configuration, throwIfInvalid: true));
            if (configuration is not null)
            {
                _subscription = ChangeToken.OnChange(configuration.GetReloadToken, () => Switch.IsEnabled = Read(configuration, throwIfInvalid: false));
            }
        }

        public ChaosSwitch Switch { get; }

        public void Dispose() => _subscription?.Dispose();

        private static bool Read(IConfiguration? configuration, bool throwIfInvalid)
        {
            var value = configuration?[EnabledKey];
            if (string.IsNullOrWhiteSpace(value))
            {
                return false;
            }

            if (bool.TryParse(value.Trim(), out var enabled))
            {
                return enabled;
            }

            return throwIfInvalid
                ? throw new InvalidOperationException($"The configuration key '{EnabledKey}' must be true or false; it was '{value}'.")
                : false;
        }
    }
}
