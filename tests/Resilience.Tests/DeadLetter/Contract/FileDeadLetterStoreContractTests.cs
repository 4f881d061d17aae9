using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter.Contract;

/// <summary>The store contract for the file store, reopened on the same directory.</summary>
public sealed class FileDeadLetterStoreContractTests : DeadLetterStoreContractTests
{
    private readonly TempDirectory _directory = new();

    protected override ValueTask<IDeadLetterStore> OpenAsync()
        => new(FileDeadLetterStore.Open(new FileDeadLetterStoreOptions { Directory = _directory.Path, MaxPayloadBytes = 1024 }));

    protected override ValueTask CleanUpAsync()
    {
        _directory.Dispose();
        return default;
    }
}
