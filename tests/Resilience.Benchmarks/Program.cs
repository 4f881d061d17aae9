using BenchmarkDotNet.Running;

namespace Resilience.Benchmarks;

internal static class Program
{
    // dotnet run -c Release --project tests/Resilience.Benchmarks -- --filter '*'          (full runs)
    // dotnet run -c Release --project tests/Resilience.Benchmarks -- --short --filter '*'  (short runs, minutes)
    // dotnet run -c Release --project tests/Resilience.Benchmarks -- --dlq                 (dead letter queue harness)
    public static async Task Main(string[] args)
    {
        if (args.Contains("--dlq"))
        {
            await DeadLetterBenchmark.RunAsync(args);
            return;
        }

        var shortRun = args.Contains("--short");
        var rest = args.Where(a => a != "--short").ToArray();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, BenchmarkConfig.Create(shortRun));
    }
}
