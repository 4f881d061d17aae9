using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// Validates a named pipeline's settings by building them, and reports every problem at once with the configuration
/// path of the bad key (for example <c>Resilience:Pipelines:orders-api:Retry:BaseDelay</c>): unknown keys (typos), a
/// section without any strategy (often a misspelt pipeline name), and each strategy's invalid values.
/// </summary>
internal sealed class ResiliencePipelineSettingsValidator : IValidateOptions<ResiliencePipelineSettings>
{
    private readonly string _name;
    private readonly IConfigurationSection _section;
    private readonly string _path;

    public ResiliencePipelineSettingsValidator(string name, IConfigurationSection section)
    {
        _name = name;
        _section = section;
        _path = section.Path;
    }

    public ValidateOptionsResult Validate(string? name, ResiliencePipelineSettings options)
    {
        if (!string.Equals(name, _name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        SettingsKeys.Pipeline.CheckUnder(_section, failures);
        if (options is { TotalTimeout: null, Retry: null, CircuitBreaker: null, Bulkhead: null, AttemptTimeout: null })
        {
            failures.Add($"{_path}: no strategy is configured (the section is empty or missing; is the pipeline's name spelt as in configuration?); expected at least one of {string.Join(", ", SettingsKeys.Pipeline.Names)}.");
        }

        Check(failures, "TotalTimeout", options.TotalTimeout);
        Check(failures, "AttemptTimeout", options.AttemptTimeout);

        // One strategy at a time, so a bad value in each is reported, not only the first.
        Build(failures, new ResiliencePipelineSettings { Retry = options.Retry });
        Build(failures, new ResiliencePipelineSettings { CircuitBreaker = options.CircuitBreaker });
        Build(failures, new ResiliencePipelineSettings { Bulkhead = options.Bulkhead });
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void Build(List<string> failures, ResiliencePipelineSettings strategy)
    {
        try
        {
            new ConfiguredPipeline(_name, TimeProvider.System).Build(strategy);
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{_path}:{KeyOf(ex.ParamName)}: {ex.Message}");
        }
    }

    private void Check(List<string> failures, string key, TimeSpan? timeout)
    {
        if (timeout is { } value && (value <= TimeSpan.Zero || value > TimeSpan.FromDays(49)))
        {
            failures.Add($"{_path}:{key}: must be greater than zero and at most 49 days; it was {value}.");
        }
    }

    // "RetryStrategyOptions.BaseDelay" → "Retry:BaseDelay"
    internal static string KeyOf(string? parameter)
    {
        if (parameter is null)
        {
            return "?";
        }

        var dot = parameter.IndexOf('.', StringComparison.Ordinal);
        var section = dot < 0 ? parameter : parameter[..dot].Replace("StrategyOptions", string.Empty, StringComparison.Ordinal);
        return dot < 0 ? section : $"{section}:{parameter[(dot + 1)..]}";
    }
}
