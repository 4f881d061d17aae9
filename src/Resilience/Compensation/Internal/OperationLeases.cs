namespace Resilience.Compensation.Internal;

/// <summary>
/// One owner at a time per operation id in this process: the first rollback, recovery, the dead letter processor's
/// resume and a manual resume all take the operation's lease, so no step ever runs concurrently with itself. Across
/// processes the journal's directory lock gives the same guarantee (one process owns a journal), and the claim record
/// each owner writes makes the takeover after a crash explicit in the journal.
/// </summary>
internal sealed class OperationLeases
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>Gets or sets a test hook called with the operation id when a caller has to wait for its lease.</summary>
    public Action<string>? Contended { get; set; }

    /// <summary>Gets how many callers wait for the operation's lease (its holder not counted).</summary>
    public int Waiters(string operationId)
    {
        lock (_lock)
        {
            return _gates.TryGetValue(operationId, out var gate) ? gate.Users - (gate.Semaphore.CurrentCount == 0 ? 1 : 0) : 0;
        }
    }

    /// <summary>Waits for the operation's lease; dispose the result to release it.</summary>
    public async ValueTask<Lease> AcquireAsync(string operationId, CancellationToken cancellationToken)
    {
        Gate gate;
        lock (_lock)
        {
            if (!_gates.TryGetValue(operationId, out gate!))
            {
                _gates[operationId] = gate = new Gate();
            }

            gate.Users++;
        }

        if (gate.Users > 1)
        {
            Contended?.Invoke(operationId);
        }

        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(operationId, gate);
            throw;
        }

        return new Lease(this, operationId, gate);
    }

    private void Leave(string operationId, Gate gate)
    {
        lock (_lock)
        {
            // The last user removes the gate, so finished operations leave nothing behind.
            if (--gate.Users == 0)
            {
                _gates.Remove(operationId);
                gate.Semaphore.Dispose();
            }
        }
    }

    /// <summary>A held lease.</summary>
    internal readonly struct Lease : IDisposable
    {
        private readonly OperationLeases _owner;
        private readonly string _operationId;
        private readonly Gate _gate;

        public Lease(OperationLeases owner, string operationId, Gate gate)
        {
            _owner = owner;
            _operationId = operationId;
            _gate = gate;
        }

        public void Dispose()
        {
            _gate.Semaphore.Release();
            _owner.Leave(_operationId, _gate);
        }
    }

    internal sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
