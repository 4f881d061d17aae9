using Microsoft.Extensions.Options;

namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// Validates a named pipeline's settings by building them, and reports each problem with the configuration path of the
/// bad key (for example <c>Resilience:Pipelines:orders-api:Retry:BaseDelay</c>).
/// </summary>
internal sealed class ResiliencePipelineSettingsValidator : IValidateOptions<ResiliencePipelineSettings>
{
    private readonly string _name;
    private readonly string _path;

    public ResiliencePipelineSettingsValidator(string name, string path)
    {
        _name = name;
        _path = path;
    }

    public ValidateOptionsResult Validate(string? name, ResiliencePipelineSettings options)
    {
        if (!string.Equals(name, _name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        Check(failures, "TotalTimeout", options.TotalTimeout);
        Check(failures, "AttemptTimeout", options.AttemptTimeout);
        try
        {
            new ConfiguredPipeline(_name, TimeProvider.System).Build(new ResiliencePipelineSettings
            {
                Retry = options.Retry,
                CircuitBreaker = options.CircuitBreaker,
                Bulkhead = options.Bulkhead,
            });
        }
        catch (ArgumentException ex)
        {
            failures.Add($"{_path}:{KeyOf(ex.ParamName)}: {ex.Message}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void Check(List<string> failures, string key, TimeSpan? timeout)
    {
        if (timeout is { } value && (value <= TimeSpan.Zero || value > TimeSpan.FromDays(49)))
        {
            failures.Add($"{_path}:{key}: must be greater than zero and at most 49 days; it was {value}.");
        }
    }

    // "RetryStrategyOptions.BaseDelay" → "Retry:BaseDelay"
    private static string KeyOf(string? parameter)
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
