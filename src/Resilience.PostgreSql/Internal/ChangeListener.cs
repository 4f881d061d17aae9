using Npgsql;

namespace Resilience.PostgreSql.Internal;

/// <summary>
/// Listens on the queue's notification channel with one connection while anyone subscribes, and raises the
/// subscribers on every notification and after every (re)connect (a notification may have been missed while
/// disconnected). Polling is the fallback: a lost connection only delays a wake-up until the next poll.
/// </summary>
internal sealed class ChangeListener : IAsyncDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _channel;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Action> _callbacks = [];
    private Task? _loop;
    private int _disposed;

    public ChangeListener(NpgsqlDataSource dataSource, string channel, TimeProvider time)
    {
        _dataSource = dataSource;
        _channel = channel;
        _time = time;
    }

    public IDisposable Subscribe(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_lock)
        {
            _callbacks.Add(callback);
            _loop ??= Task.Run(ListenAsync);
        }

        return new Subscription(this, callback);
    }

    public async ValueTask DisposeAsync()
    {
        // Once: the store (and the queue over it) may be disposed by more than one owner, and the second must not
        // touch the disposed token source.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_lock)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private void Raise()
    {
        Action[] callbacks;
        lock (_lock)
        {
            callbacks = [.. _callbacks];
        }

        foreach (var callback in callbacks)
        {
            callback();
        }
    }

    private async Task ListenAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, _) => Raise();
                    using (var listen = new NpgsqlCommand($"LISTEN \"{_channel}\"", connection))
                    {
                        await listen.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                    }

                    Raise();
                    while (true)
                    {
                        await connection.WaitAsync(token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Any failure of the listening connection: reconnect later; polling covers the gap.
            catch (Exception)
            {
                try
                {
                    await Task.Delay(ReconnectDelay, _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
#pragma warning restore CA1031
        }
    }

    private sealed class Subscription(ChangeListener listener, Action callback) : IDisposable
    {
        public void Dispose()
        {
            lock (listener._lock)
            {
                listener._callbacks.Remove(callback);
            }
        }
    }
}
