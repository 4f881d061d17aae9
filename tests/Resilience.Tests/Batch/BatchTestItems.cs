using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace Resilience.Tests.Batch;

public sealed record BatchItem(int Id, string Name);

[JsonSerializable(typeof(BatchItem))]
internal sealed partial class BatchJsonContext : JsonSerializerContext
{
}

/// <summary>
/// Holds every caller until the test releases it, and counts how many are inside at once: the test sees each arrival
/// (no clock involved) and decides who finishes, and in which order.
/// </summary>
internal sealed class CallerGate : IDisposable
{
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _held = new();
    private readonly SemaphoreSlim _arrivals = new(0);
    private int _inside;
    private int _maxInside;

    public void Dispose() => _arrivals.Dispose();

    public int MaxInside => Volatile.Read(ref _maxInside);

    public int Inside => Volatile.Read(ref _inside);

    public async ValueTask<int> EnterAsync(int id, CancellationToken cancellationToken = default)
    {
        var now = Interlocked.Increment(ref _inside);
        TestUtils.InterlockedMax.Update(ref _maxInside, now);
        var release = _held.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _arrivals.Release();
        try
        {
            await release.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }

        return id;
    }

    /// <summary>Waits (bounded, as a hang guard only) until <paramref name="count"/> more callers arrived.</summary>
    public async Task WaitForArrivalsAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            (await _arrivals.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("a caller was expected to arrive");
        }
    }

    public void Release(int id) => _held.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public IReadOnlyCollection<int> HeldIds => [.. _held.Where(p => !p.Value.Task.IsCompleted).Select(p => p.Key)];
}

/// <summary>An IProgress that records synchronously on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class RecordingProgress : IProgress<Resilience.Batch.BatchProgress>
{
    private readonly Lock _lock = new();
    private readonly List<Resilience.Batch.BatchProgress> _reports = [];

    public IReadOnlyList<Resilience.Batch.BatchProgress> Reports
    {
        get
        {
            lock (_lock)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(Resilience.Batch.BatchProgress value)
    {
        lock (_lock)
        {
            _reports.Add(value);
        }
    }
}
