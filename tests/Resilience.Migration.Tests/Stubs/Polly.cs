// Stand-ins for the Polly v8 API surface the migration tests use: the same namespaces, type names, member names and
// signatures as Polly.Core 8 and Polly.Extensions, with no behaviour. Compiled only into the tests' in-memory "before"
// and "after" compilations, never into the test assembly.
#nullable enable
using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Polly
{
    public readonly struct Outcome<TResult>
    {
        public Exception? Exception => null;
        public TResult? Result => default;
    }

    public static class Outcome
    {
        public static Outcome<TResult> FromResult<TResult>(TResult value) => default;
        public static ValueTask<Outcome<TResult>> FromResultAsValueTask<TResult>(TResult value) => default;
    }

    public static class PredicateResult
    {
        public static ValueTask<bool> True() => default;
        public static ValueTask<bool> False() => default;
    }

    public sealed class ResilienceContext
    {
        public CancellationToken CancellationToken => default;
        public ResilienceProperties Properties { get; } = new ResilienceProperties();
    }

    public sealed class ResilienceProperties
    {
    }

    public class PredicateBuilder<TResult>
    {
        public PredicateBuilder<TResult> Handle<TException>() where TException : Exception => this;
        public PredicateBuilder<TResult> Handle<TException>(Func<TException, bool> predicate) where TException : Exception => this;
        public PredicateBuilder<TResult> HandleInner<TException>() where TException : Exception => this;
        public PredicateBuilder<TResult> HandleInner<TException>(Func<TException, bool> predicate) where TException : Exception => this;
        public PredicateBuilder<TResult> HandleResult(Func<TResult, bool> predicate) => this;
        public PredicateBuilder<TResult> HandleResult(TResult result, System.Collections.Generic.IEqualityComparer<TResult>? comparer = null) => this;
        public static implicit operator Func<Polly.Retry.RetryPredicateArguments<TResult>, ValueTask<bool>>(PredicateBuilder<TResult> builder) => _ => default;
        public static implicit operator Func<Polly.CircuitBreaker.CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>>(PredicateBuilder<TResult> builder) => _ => default;
        public static implicit operator Func<Polly.Fallback.FallbackPredicateArguments<TResult>, ValueTask<bool>>(PredicateBuilder<TResult> builder) => _ => default;
    }

    public sealed class PredicateBuilder : PredicateBuilder<object>
    {
    }

    public class ResiliencePipeline
    {
        public ValueTask<TResult> ExecuteAsync<TResult>(Func<CancellationToken, ValueTask<TResult>> callback, CancellationToken cancellationToken = default) => default;
        public ValueTask ExecuteAsync(Func<CancellationToken, ValueTask> callback, CancellationToken cancellationToken = default) => default;
    }

    public class ResiliencePipeline<T>
    {
        public ValueTask<T> ExecuteAsync(Func<CancellationToken, ValueTask<T>> callback, CancellationToken cancellationToken = default) => default;
    }

    public abstract class ResiliencePipelineBuilderBase
    {
        public string? Name { get; set; }
    }

    public sealed class ResiliencePipelineBuilder : ResiliencePipelineBuilderBase
    {
        public ResiliencePipeline Build() => new ResiliencePipeline();
    }

    public sealed class ResiliencePipelineBuilder<T> : ResiliencePipelineBuilderBase
    {
        public ResiliencePipeline<T> Build() => new ResiliencePipeline<T>();
    }

    public static class RetryResiliencePipelineBuilderExtensions
    {
        public static ResiliencePipelineBuilder AddRetry(this ResiliencePipelineBuilder builder, Polly.Retry.RetryStrategyOptions options) => builder;
        public static ResiliencePipelineBuilder<T> AddRetry<T>(this ResiliencePipelineBuilder<T> builder, Polly.Retry.RetryStrategyOptions<T> options) => builder;
    }

    public static class CircuitBreakerResiliencePipelineBuilderExtensions
    {
        public static ResiliencePipelineBuilder AddCircuitBreaker(this ResiliencePipelineBuilder builder, Polly.CircuitBreaker.CircuitBreakerStrategyOptions options) => builder;
        public static ResiliencePipelineBuilder<T> AddCircuitBreaker<T>(this ResiliencePipelineBuilder<T> builder, Polly.CircuitBreaker.CircuitBreakerStrategyOptions<T> options) => builder;
    }

    public static class FallbackResiliencePipelineBuilderExtensions
    {
        public static ResiliencePipelineBuilder<T> AddFallback<T>(this ResiliencePipelineBuilder<T> builder, Polly.Fallback.FallbackStrategyOptions<T> options) => builder;
    }

    public static class TimeoutResiliencePipelineBuilderExtensions
    {
        public static TBuilder AddTimeout<TBuilder>(this TBuilder builder, TimeSpan timeout) where TBuilder : ResiliencePipelineBuilderBase => builder;
        public static TBuilder AddTimeout<TBuilder>(this TBuilder builder, Polly.Timeout.TimeoutStrategyOptions options) where TBuilder : ResiliencePipelineBuilderBase => builder;
    }

    public static class PollyServiceCollectionExtensions
    {
        public static IServiceCollection AddResiliencePipeline<TKey>(this IServiceCollection services, TKey key, Action<ResiliencePipelineBuilder> configure) where TKey : notnull => services;
        public static IServiceCollection AddResiliencePipeline<TKey>(this IServiceCollection services, TKey key, Action<ResiliencePipelineBuilder, Polly.DependencyInjection.AddResiliencePipelineContext<TKey>> configure) where TKey : notnull => services;
        public static IServiceCollection AddResiliencePipeline<TKey, TResult>(this IServiceCollection services, TKey key, Action<ResiliencePipelineBuilder<TResult>, Polly.DependencyInjection.AddResiliencePipelineContext<TKey>> configure) where TKey : notnull => services;
    }
}

namespace Polly.DependencyInjection
{
    public sealed class AddResiliencePipelineContext<TKey>
    {
        public TKey PipelineKey => default!;
        public IServiceProvider ServiceProvider => null!;
    }
}

namespace Polly.Registry
{
    public abstract class ResiliencePipelineProvider<TKey>
        where TKey : notnull
    {
        public ResiliencePipeline GetPipeline(TKey key) => null!;
        public ResiliencePipeline<TResult> GetPipeline<TResult>(TKey key) => null!;
    }
}

namespace Polly.Retry
{
    public enum DelayBackoffType
    {
        Constant,
        Linear,
        Exponential,
    }

    public readonly struct RetryPredicateArguments<TResult>
    {
        public Outcome<TResult> Outcome => default;
        public ResilienceContext Context => null!;
        public int AttemptNumber => 0;
    }

    public readonly struct OnRetryArguments<TResult>
    {
        public Outcome<TResult> Outcome => default;
        public ResilienceContext Context => null!;
        public int AttemptNumber => 0;
        public TimeSpan RetryDelay => default;
        public TimeSpan Duration => default;
    }

    public readonly struct RetryDelayGeneratorArguments<TResult>
    {
        public Outcome<TResult> Outcome => default;
        public ResilienceContext Context => null!;
        public int AttemptNumber => 0;
    }

    public class RetryStrategyOptions<TResult>
    {
        public string? Name { get; set; }
        public int MaxRetryAttempts { get; set; }
        public DelayBackoffType BackoffType { get; set; }
        public bool UseJitter { get; set; }
        public TimeSpan Delay { get; set; }
        public TimeSpan? MaxDelay { get; set; }
        public Func<RetryPredicateArguments<TResult>, ValueTask<bool>> ShouldHandle { get; set; } = null!;
        public Func<RetryDelayGeneratorArguments<TResult>, ValueTask<TimeSpan?>>? DelayGenerator { get; set; }
        public Func<OnRetryArguments<TResult>, ValueTask>? OnRetry { get; set; }
    }

    public class RetryStrategyOptions : RetryStrategyOptions<object>
    {
    }
}

namespace Polly.CircuitBreaker
{
    public enum CircuitState
    {
        Closed,
        Open,
        HalfOpen,
        Isolated,
    }

    public readonly struct CircuitBreakerPredicateArguments<TResult>
    {
        public Outcome<TResult> Outcome => default;
        public ResilienceContext Context => null!;
    }

    public readonly struct BreakDurationGeneratorArguments
    {
        public double FailureRate => 0;
        public int FailureCount => 0;
        public ResilienceContext Context => null!;
        public int HalfOpenAttempts => 0;
    }

    public readonly struct OnCircuitOpenedArguments<TResult>
    {
        public TimeSpan BreakDuration => default;
        public bool IsManual => false;
    }

    public readonly struct OnCircuitClosedArguments<TResult>
    {
        public bool IsManual => false;
    }

    public readonly struct OnCircuitHalfOpenedArguments
    {
    }

    public sealed class CircuitBreakerStateProvider
    {
        public CircuitState CircuitState => CircuitState.Closed;
    }

    public class CircuitBreakerStrategyOptions<TResult>
    {
        public string? Name { get; set; }
        public double FailureRatio { get; set; }
        public int MinimumThroughput { get; set; }
        public TimeSpan SamplingDuration { get; set; }
        public TimeSpan BreakDuration { get; set; }
        public Func<BreakDurationGeneratorArguments, ValueTask<TimeSpan>>? BreakDurationGenerator { get; set; }
        public Func<CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>> ShouldHandle { get; set; } = null!;
        public Func<OnCircuitOpenedArguments<TResult>, ValueTask>? OnOpened { get; set; }
        public Func<OnCircuitClosedArguments<TResult>, ValueTask>? OnClosed { get; set; }
        public Func<OnCircuitHalfOpenedArguments, ValueTask>? OnHalfOpened { get; set; }
        public CircuitBreakerStateProvider? StateProvider { get; set; }
    }

    public class CircuitBreakerStrategyOptions : CircuitBreakerStrategyOptions<object>
    {
    }
}

namespace Polly.Fallback
{
    public readonly struct FallbackPredicateArguments<TResult>
    {
        public Outcome<TResult> Outcome => default;
        public ResilienceContext Context => null!;
    }

    public readonly struct FallbackActionArguments<TResult>
    {
        public Outcome<TResult> Outcome => default;
        public ResilienceContext Context => null!;
    }

    public class FallbackStrategyOptions<TResult>
    {
        public string? Name { get; set; }
        public Func<FallbackActionArguments<TResult>, ValueTask<Outcome<TResult>>>? FallbackAction { get; set; }
        public Func<FallbackPredicateArguments<TResult>, ValueTask<bool>> ShouldHandle { get; set; } = null!;
    }
}

namespace Polly.Timeout
{
    public class TimeoutStrategyOptions
    {
        public TimeSpan Timeout { get; set; }
    }

    public class TimeoutRejectedException : Exception
    {
    }
}

namespace Polly.Simmy
{
    public class ChaosStrategyOptions
    {
        public double InjectionRate { get; set; }
    }
}
