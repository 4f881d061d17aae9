namespace Resilience.Http.Internal;

/// <summary>
/// The request a <see cref="ResilienceHandler"/> is sending, visible to the retry rules its pipeline evaluates (they
/// run in the handler's asynchronous flow). A rule cannot see the request of an exception outcome any other way.
/// </summary>
internal static class CurrentRequest
{
    private static readonly AsyncLocal<RequestReplay?> Replay = new();

    public static RequestReplay? Value
    {
        get => Replay.Value;
        set => Replay.Value = value;
    }
}
