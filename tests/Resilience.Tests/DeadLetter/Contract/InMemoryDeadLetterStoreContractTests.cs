using Resilience.DeadLetter;

namespace Resilience.Tests.DeadLetter.Contract;

/// <summary>The store contract for the in-memory store; "reopening" it hands back the same instance (it lives as long as the process).</summary>
#pragma warning disable CA1001 // The base class disposes the store through IAsyncLifetime.
public sealed class InMemoryDeadLetterStoreContractTests : DeadLetterStoreContractTests
{
    private readonly InMemoryDeadLetterStore _store = new(1024);

    protected override ValueTask<IDeadLetterStore> OpenAsync() => new(_store);
}
#pragma warning restore CA1001
