namespace Resilience.DeadLetter.Internal;

/// <summary>
/// Numbers the distinct values the index's rows name (operation types, failure groups, files), counting how many rows
/// name each: a value no row names any more gives its number back, so the table is as large as what is live, not all
/// that was ever seen. Not thread-safe: the store's lock guards it. A view copies <see cref="Copy"/>, so a number
/// reused later still means what it meant to the view.
/// </summary>
/// <typeparam name="T">The value type (compared by <see cref="EqualityComparer{T}.Default"/>).</typeparam>
internal sealed class InternTable<T>
    where T : class
{
    private readonly Dictionary<T, int> _numbers;
    private readonly Stack<int> _free = new();
    private readonly int _capacity;
    private T?[] _values = new T?[4];
    private int[] _references = new int[4];
    private int _used;
    private int _lastNumber;

    /// <param name="capacity">How many distinct live values fit; <see cref="Add"/> returns -1 beyond.</param>
    /// <param name="comparer">How values compare.</param>
    public InternTable(int capacity, IEqualityComparer<T>? comparer = null)
    {
        _capacity = capacity;
        _numbers = new Dictionary<T, int>(comparer);
    }

    /// <summary>Takes a reference on the value's number (giving it one if needed); -1 when the table is full.</summary>
    public int Add(T value)
    {
        // Consecutive rows mostly name the same value (one file, one type): skip the dictionary then.
        if (!ReferenceEquals(_values[_lastNumber], value))
        {
            if (!_numbers.TryGetValue(value, out var number))
            {
                if (_free.Count == 0 && _used == _capacity)
                {
                    return -1;
                }

                number = _free.Count > 0 ? _free.Pop() : _used++;
                if (number == _values.Length)
                {
                    Array.Resize(ref _values, _values.Length * 2);
                    Array.Resize(ref _references, _references.Length * 2);
                }

                _values[number] = value;
                _numbers.Add(value, number);
            }

            _lastNumber = number;
        }

        _references[_lastNumber]++;
        return _lastNumber;
    }

    public void Release(int number)
    {
        if (--_references[number] == 0)
        {
            _numbers.Remove(_values[number]!);
            _values[number] = null;
            _free.Push(number);
        }
    }

    /// <summary>Gets the values by number as they are now (the live array: read it under the lock, do not keep it).</summary>
    public T?[] Values => _values;

    /// <summary>Gets the values by number, for a view (a copy: later changes do not reach it).</summary>
    public T?[] Copy() => (T?[])_values.Clone();

    public void Clear()
    {
        _numbers.Clear();
        _free.Clear();
        Array.Clear(_values);
        Array.Clear(_references);
        _used = 0;
        _lastNumber = 0;
    }
}
