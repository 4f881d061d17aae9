namespace Resilience.DeadLetter.Internal;

/// <summary>
/// A run of slots of the index's id order (see <see cref="EntryIndex"/>): at most <see cref="Capacity"/>, so keeping
/// them in order moves 2 KiB at most. Like an <see cref="IndexPage"/>, one made before the latest freeze is shared with
/// a view and copied before it changes.
/// </summary>
internal sealed class OrderChunk(int epoch)
{
    public const int Capacity = 512;

    public int[] Slots { get; private init; } = new int[Capacity];

    public int Count { get; set; }

    /// <summary>Gets or sets the epoch the chunk was made (or reused) in.</summary>
    public int Epoch { get; set; } = epoch;

    public OrderChunk Clone(int epoch) => new(epoch) { Slots = (int[])Slots.Clone(), Count = Count };
}
