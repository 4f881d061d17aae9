namespace Resilience.Samples.PollyMigration.Tests;

/// <summary>The sample's files, found from the test's output folder up to the repository root.</summary>
internal static class SampleFiles
{
    public static string Directory { get; } = Path.Combine(FindRoot(), "samples", "Resilience.Samples.PollyMigration");

    public static string Original => File.ReadAllText(Path.Combine(Directory, "Polly", "OrdersClient.cs"));

    public static string Migrated => File.ReadAllText(Path.Combine(Directory, "OrdersClient.cs"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Resilience.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Resilience.sln not found above " + AppContext.BaseDirectory);
    }
}
