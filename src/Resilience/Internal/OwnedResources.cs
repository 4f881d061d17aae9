namespace Resilience.Internal;

/// <summary>
/// What a pipeline created for itself while it was built (the limiter of a rate-limiter shorthand) and so must
/// dispose with it; what a caller passed in is never listed here. Disposing twice is harmless.
/// </summary>
internal sealed class OwnedResources
{
    private readonly Lock _lock = new();
    private List<object>? _items = [];

    public T Add<T>(T resource)
        where T : class
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_items is null, this);
            _items.Add(resource);
        }

        return resource;
    }

    public void Dispose()
    {
        foreach (var item in Take())
        {
            if (item is IDisposable disposable)
            {
                disposable.Dispose();
            }
            else
            {
                ((IAsyncDisposable)item).DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var item in Take())
        {
            if (item is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                ((IDisposable)item).Dispose();
            }
        }
    }

    // Latest first, as a using block would; taken under the lock so racing disposers dispose each item once.
    private List<object> Take()
    {
        lock (_lock)
        {
            var items = _items ?? [];
            _items = null;
            items.Reverse();
            return items;
        }
    }
}
