namespace Resilience.Packaging.Tests;

/// <summary>
/// The packaging tests each run a full build of their own; one at a time keeps a 2-core machine responsive for the
/// other test assemblies running beside them. They share one pack of the libraries.
/// </summary>
[CollectionDefinition(nameof(OneBuildAtATime), DisableParallelization = true)]
public sealed class OneBuildAtATime : ICollectionFixture<PackedLibraries>;
