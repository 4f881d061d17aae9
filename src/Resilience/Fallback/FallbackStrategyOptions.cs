namespace Resilience.Fallback;

/// <summary>
/// Fallback options for a non-generic <see cref="ResiliencePipeline"/>. Fallback actions see results as
/// <see cref="object"/>; <see cref="FallbackActionArguments{TResult}.ResultType"/> tells them the call site's result
/// type, so one pipeline can fall back to a value of the right type at every call site.
/// </summary>
/// <remarks>
/// A fallback result that is not of the call site's type fails that call with an <see cref="InvalidCastException"/>.
/// </remarks>
public class FallbackStrategyOptions : FallbackStrategyOptions<object>
{
}
