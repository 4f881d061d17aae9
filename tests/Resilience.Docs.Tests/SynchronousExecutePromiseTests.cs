namespace Resilience.Docs.Tests;

/// <summary>
/// The synchronous <c>Execute</c> waits on a task when something in the pipeline completes asynchronously (a queueing
/// rate limiter, an asynchronous event callback, generator or fallback action, a custom strategy). No page and no XML
/// doc may promise that it never blocks.
/// </summary>
public class SynchronousExecutePromiseTests
{
    [Fact]
    public void NoPageOrXmlDoc_PromisesThatExecuteNeverBlocks()
    {
        var root = FindRepositoryRoot();
        var files = Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
            .Append(Path.Combine(root, "README.md"))
            .Concat(Directory.GetFiles(Path.Combine(root, "src", "Resilience", "Pipeline"), "*.cs"));

        var promises = files
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(root, f), Line: i + 1, Text: line)))
            .Where(l => l.Text.Contains("never block", StringComparison.OrdinalIgnoreCase))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}");

        promises.Should().BeEmpty();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Resilience.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Resilience.sln above {AppContext.BaseDirectory}.");
    }
}
