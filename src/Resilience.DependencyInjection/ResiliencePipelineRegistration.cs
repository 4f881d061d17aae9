namespace Resilience.DependencyInjection;

/// <summary>
/// Records that a pipeline was registered, for listing and error messages.
/// </summary>
/// <param name="Name">The pipeline's name.</param>
/// <param name="PipelineType">The pipeline's type.</param>
public sealed record ResiliencePipelineRegistration(string Name, Type PipelineType);
