namespace Resilience.Tests.TestUtils;

/// <summary>
/// A custom strategy that writes "enter name" / "exit name" to a shared log, to observe how strategies nest.
/// </summary>
internal sealed class RecordingStrategy : ResilienceStrategy
{
    private readonly string _name;
    private readonly List<string> _log;

    public RecordingStrategy(string name, List<string> log)
    {
        _name = name;
        _log = log;
    }

    public bool? InnerCompletedSynchronously { get; private set; }

    public bool? SawSynchronousContext { get; private set; }

    protected internal override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        _log.Add("enter " + _name);
        SawSynchronousContext = context.IsSynchronous;
        var pending = callback(context, state);
        InnerCompletedSynchronously = pending.IsCompleted;
        var outcome = await pending;
        _log.Add("exit " + _name);
        return outcome;
    }
}
