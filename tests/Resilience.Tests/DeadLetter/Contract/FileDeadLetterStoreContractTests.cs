using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter.Contract;

/// <summary>The store contract for the file store, reopened on the same directory.</summary>
#pragma warning disable CA1001 // CleanUpAsync (IAsyncLifetime) deletes the directory.
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
#pragma warning restore CA1001
