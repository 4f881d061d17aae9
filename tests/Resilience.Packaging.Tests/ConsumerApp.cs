namespace Resilience.Packaging.Tests;

/// <summary>The files of the console project that consumes the packages, as a newcomer would write it.</summary>
internal static class ConsumerApp
{
    public static string Project(string version) => $$"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Resilience" Version="{{version}}" />
            <PackageReference Include="Resilience.DependencyInjection" Version="{{version}}" />
            <PackageReference Include="Resilience.Http" Version="{{version}}" />
            <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="10.0.13" />
          </ItemGroup>
        </Project>
        """;

    // Package sources: the pack folder for our three packages (and only there, by source mapping), the machine's
    // global packages folder for their dependencies. A public package that happens to be called "Resilience" can
    // never be picked up, and nothing is downloaded.
    public static string NuGetConfig(string packFolder, string dependencyFeed, string packagesFolder) => $$"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config>
            <add key="globalPackagesFolder" value="{{packagesFolder}}" />
          </config>
          <packageSources>
            <clear />
            <add key="packed" value="{{packFolder}}" />
            <add key="dependencies" value="{{dependencyFeed}}" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="packed">
              <package pattern="Resilience" />
              <package pattern="Resilience.*" />
            </packageSource>
            <packageSource key="dependencies">
              <package pattern="*" />
            </packageSource>
          </packageSourceMapping>
        </configuration>
        """;

    public const string Program = """
        using Microsoft.Extensions.DependencyInjection;
        using Resilience;
        using Resilience.DeadLetter;
        using Resilience.DependencyInjection;
        using Resilience.Retry;

        // 1. A retry that absorbs two transient failures.
        var attempts = 0;
        var retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, BaseDelay = TimeSpan.Zero })
            .Build();
        var answer = await retry.ExecuteAsync(_ =>
        {
            attempts++;
            // A TimeoutException is transient, so the default ShouldHandle retries it.
            return attempts < 3 ? throw new TimeoutException("flaky") : new ValueTask<int>(42);
        });
        Check(answer == 42 && attempts == 3, $"retry returned {answer} after {attempts} attempts");
        Console.WriteLine($"retry: {answer} after {attempts} attempts");

        // 2. A dead letter round trip across a reopen: dead-letter, close, reopen, replay, recovered.
        var directory = args[0];
        string id;
        await using (var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = directory }))
        {
            var entry = await queue.AddAsync("smoke", "payload"u8.ToArray(), new InvalidOperationException("down"));
            id = entry.Id;
        }

        await using (var queue = DeadLetterQueue.Open(new DeadLetterQueueOptions { Directory = directory }))
        {
            var reopened = queue.Get(id);
            Check(reopened is not null && reopened.Error.Message == "down", "the entry survived the reopen");
            var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            queue.RegisterHandler("smoke", (attempt, _) =>
            {
                handled.TrySetResult(System.Text.Encoding.UTF8.GetString(attempt.Entry.Payload.Span));
                return ValueTask.CompletedTask;
            });
            queue.Processor.Start();
            await queue.ReplayAsync(id);
            var payload = await handled.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await queue.Processor.WaitForIdleAsync();
            var status = queue.Get(id)?.Status;
            Check(payload == "payload" && status == DeadLetterStatus.Recovered, $"replayed '{payload}', status {status}");
            Console.WriteLine($"dead letter: replayed '{payload}', status {status}");
        }

        // 3. Dependency injection and the HttpClient handler resolve.
        var services = new ServiceCollection();
        services.AddResiliencePipeline("smoke", (builder, _) => builder.AddTimeout(TimeSpan.FromSeconds(5)));
        services.AddHttpClient("downstream").AddStandardResilienceHandler();
        await using var provider = services.BuildServiceProvider();
        var fromContainer = provider.GetRequiredService<ResiliencePipelineProvider>().GetPipeline("smoke");
        Check(await fromContainer.ExecuteAsync(static _ => new ValueTask<int>(7)) == 7, "the container's pipeline runs");
        _ = provider.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");

        Console.WriteLine("SMOKE OK");

        static void Check(bool condition, string what)
        {
            if (!condition)
            {
                Console.Error.WriteLine($"FAILED: {what}");
                Environment.Exit(1);
            }
        }
        """;
}
