using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Resilience.Benchmarks;

internal static class BenchmarkConfig
{
    public static IConfig Create(bool shortRun)
    {
        var job = shortRun
            ? Job.ShortRun.WithWarmupCount(3).WithIterationCount(5).WithLaunchCount(1)
            : Job.Default;
        return DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(RankColumn.Arabic)
            .WithOptions(ConfigOptions.DisableLogFile);
    }
}
