using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Resilience.Internal;

namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// Rebuilds a configured pipeline when its section changes. A change that does not bind or validate is logged (with the
/// path of each bad key) and ignored: the pipeline keeps working with its previous settings.
/// </summary>
/// <remarks>
/// The settings' options are registered without a change-token source on purpose: an options monitor that re-validated
/// on change would throw its <c>OptionsValidationException</c> into whatever raised the change (a file watcher) and
/// nobody would hear of it.
/// </remarks>
internal sealed class ConfiguredPipelineReloader
{
    private readonly string _name;
    private readonly IConfigurationSection _section;
    private readonly ConfiguredPipeline _configured;
    private readonly ResiliencePipelineSettingsValidator _validator;
    private readonly ILogger? _logger;
    private readonly StrategyChain _chain;

    public ConfiguredPipelineReloader(string name, IConfigurationSection section, ConfiguredPipeline configured, ResiliencePipelineSettingsValidator validator, ILogger? logger, StrategyChain chain)
    {
        _name = name;
        _section = section;
        _configured = configured;
        _validator = validator;
        _logger = logger;
        _chain = chain;
    }

    public IDisposable Subscribe() => ChangeToken.OnChange(_section.GetReloadToken, Reload);

    public void Reload()
    {
        var failures = TryBuild(out var rebuilt);
        if (failures is not null)
        {
            if (_logger is not null)
            {
                ConfigurationLog.ReloadRejected(_logger, _name, failures);
            }

            return;
        }

        _chain.ReplaceWith(rebuilt);
        if (_logger is not null)
        {
            ConfigurationLog.Reloaded(_logger, _name);
        }
    }

    private string? TryBuild(out StrategyChain? rebuilt)
    {
        rebuilt = null;
        var settings = new ResiliencePipelineSettings();
        try
        {
            _section.Bind(settings);
        }
        catch (InvalidOperationException ex)
        {
            // A value that does not parse ("abc" for a TimeSpan); the binder's message names the key.
            return ex.Message;
        }

        var validation = _validator.Validate(_name, settings);
        if (validation.Failed)
        {
            return validation.FailureMessage;
        }

        try
        {
            rebuilt = _configured.Build(settings);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"{_section.Path}: {ex.Message}";
        }
    }
}
