using Microsoft.AspNetCore.Builder;

namespace Resilience.Samples.AspNetCore.Tests;

/// <summary>
/// Where the sample keeps its dead letters: Resilience:DeadLetter:Directory, a relative path being under the content
/// root, and data/dead-letters there by default; never a fixed folder of the system temp directory that every run
/// and user of the machine would share.
/// </summary>
public sealed class DeadLetterDirectoryTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "resilience-sample-tests", Guid.NewGuid().ToString("N"))).FullName;

    public DeadLetterDirectoryTests()
    {
        // The content root is where appsettings.json is read from (the inventory pipeline's section).
        File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), Path.Combine(_contentRoot, "appsettings.json"));
    }

    [Fact]
    public async Task By_default_the_queue_is_under_the_content_root_in_data_dead_letters()
    {
        await using (OrdersApp.Build([$"--contentRoot={_contentRoot}", "--urls=http://127.0.0.1:0"]))
        {
            Directory.Exists(Path.Combine(_contentRoot, "data", "dead-letters")).Should().BeTrue("the queue opened there");
        }
    }

    [Fact]
    public async Task A_relative_configured_directory_is_under_the_content_root()
    {
        await using (OrdersApp.Build([$"--contentRoot={_contentRoot}", "--urls=http://127.0.0.1:0", "--Resilience:DeadLetter:Directory=run-1/queue"]))
        {
            Directory.Exists(Path.Combine(_contentRoot, "run-1", "queue")).Should().BeTrue("the queue opened there");
            Directory.Exists(Path.Combine(_contentRoot, "data", "dead-letters")).Should().BeFalse();
        }
    }

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);
}
