namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The index at one point in time, in id order: its pages (copied on write by the live index from then on), the order,
/// and copies of the number tables. Entries are made one at a time as they are read, so a compaction's capture or a
/// scan of a million entries holds no million objects.
/// </summary>
internal sealed class IndexView(IndexPage[] pages, int[] order, RecordFile?[] files, string?[] types, string?[] groups)
{
    public int Count => order.Length;

    public int SlotAt(int position) => order[position];

    public ref readonly IndexRow RowOf(int slot) => ref pages[slot >> IndexPage.Shift].Rows[slot & IndexPage.Mask];

    public SlotExtras? ExtrasOf(int slot) => RowOf(slot).HasExtras ? pages[slot >> IndexPage.Shift].Extras![slot & IndexPage.Mask] : null;

    /// <summary>Gets where the entry in the slot had its Put and its latest error when the view was taken.</summary>
    public (RecordLocation Put, RecordLocation Error) LocationsOf(int slot)
    {
        ref readonly var row = ref RowOf(slot);
        var put = new RecordLocation(files[row.PutFile]!, row.PutOffset, row.PutLength);
        var extras = ExtrasOf(slot);
        return (put, extras is { HasError: true } ? new RecordLocation(files[extras.ErrorFile]!, extras.ErrorOffset, extras.ErrorLength) : put);
    }

    public IndexedEntry this[int position]
    {
        get
        {
            var slot = order[position];
            return EntryIndex.Materialize(pages[slot >> IndexPage.Shift], slot, id: null, files, types, groups);
        }
    }
}
