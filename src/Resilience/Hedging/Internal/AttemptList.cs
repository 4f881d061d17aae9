using System.Buffers;

namespace Resilience.Hedging.Internal;

/// <summary>
/// The attempts of one hedged call still running, in the order they started, in an array rented from the shared
/// pool (at most 11 entries, so removing by shifting is cheap).
/// </summary>
internal struct AttemptList<T>
{
    private readonly HedgedAttempt<T>[] _items;

    public AttemptList(int capacity)
    {
        _items = ArrayPool<HedgedAttempt<T>>.Shared.Rent(capacity);
        Count = 0;
    }

    public int Count { readonly get; private set; }

    public readonly HedgedAttempt<T> this[int index] => _items[index];

    public void Add(HedgedAttempt<T> attempt) => _items[Count++] = attempt;

    public void RemoveAt(int index)
    {
        Count--;
        Array.Copy(_items, index + 1, _items, index, Count - index);
        _items[Count] = null!;
    }

    public readonly void Dispose() => ArrayPool<HedgedAttempt<T>>.Shared.Return(_items, clearArray: true);
}
