using Microsoft.Extensions.Logging;

namespace Resilience.DependencyInjection.Configuration;

/// <summary>
/// The log messages of configured pipelines, source-generated, with stable event ids (the core library uses 1 and 2).
/// </summary>
internal static partial class ConfigurationLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "The configuration change of pipeline {PipelineName} was ignored, the pipeline keeps its previous settings: {Failures}")]
    public static partial void ReloadRejected(ILogger logger, string pipelineName, string failures);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Pipeline {PipelineName} was rebuilt from changed configuration")]
    public static partial void Reloaded(ILogger logger, string pipelineName);
}
