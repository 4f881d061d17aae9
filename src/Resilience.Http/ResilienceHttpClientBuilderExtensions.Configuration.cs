using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Resilience;
using Resilience.DependencyInjection.Configuration;
using Resilience.Http;
using Resilience.Http.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The standard handler's options from configuration.
/// </summary>
public static partial class ResilienceHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends the client's requests through the standard HTTP pipeline with options bound from a configuration section
    /// (<c>TotalTimeout</c>, <c>Retry</c>, <c>CircuitBreaker</c>, <c>Handler</c>, <c>AttemptTimeout</c>; the strategy keys
    /// are those of a pipeline from configuration), then adjusted by <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="section">The section, for example <c>configuration.GetSection("Resilience:Http:inventory")</c>.</param>
    /// <param name="configure">Adjusts the bound options (rules, callbacks); optional.</param>
    /// <returns>The client builder.</returns>
    /// <exception cref="OptionsValidationException">The section has unknown keys, values that do not parse or invalid values; every one is listed with its key's path.</exception>
    public static IHttpClientBuilder AddStandardResilienceHandler(this IHttpClientBuilder builder, IConfigurationSection section, Action<HttpStandardResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        var settings = Bind(section);
        return builder.AddStandardResilienceHandler(options =>
        {
            settings.ApplyTo(options);
            configure?.Invoke(options);
        });
    }

    // Every problem at once, each with its key's path, when the handler is registered (before the host starts).
    private static HttpStandardResilienceSettings Bind(IConfigurationSection section)
    {
        var failures = new List<string>();
        HttpStandardResilienceSettings.Keys.CheckUnder(section, failures);
        var settings = new HttpStandardResilienceSettings();
        try
        {
            section.Bind(settings);
        }
        catch (InvalidOperationException ex)
        {
            failures.Add($"{section.Path}: {ex.Message}");
        }

        var probe = new HttpStandardResilienceOptions();
        settings.ApplyTo(probe);
        Validate(failures, section.Path, "TotalTimeout", b => b.AddTimeout(probe.TotalTimeout));
        Validate(failures, section.Path, null, b => b.AddRetry(probe.Retry));
        Validate(failures, section.Path, null, b => b.AddCircuitBreaker(probe.CircuitBreaker));
        Validate(failures, section.Path, "AttemptTimeout", b => b.AddTimeout(probe.AttemptTimeout));
        try
        {
            probe.Handler.Validated();
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{section.Path}:Handler:MaxReplayableContentLength: {ex.Message}");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(section.Path, typeof(HttpStandardResilienceOptions), failures);
        }

        return settings;
    }

    private static void Validate(List<string> failures, string path, string? key, Action<ResiliencePipelineBuilder<HttpResponseMessage>> add)
    {
        try
        {
            add(new ResiliencePipelineBuilder<HttpResponseMessage>());
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{path}:{key ?? ResiliencePipelineSettingsValidator.KeyOf(ex.ParamName)}: {ex.Message}");
        }
    }
}
