namespace Resilience.DeadLetter.Internal;

/// <summary>
/// The index at one point in time, in id order: its pages (copied on write by the live index from then on), the order,
/// and copies of the number tables. Entries are made one at a time as they are read, so a compaction's capture or a
/// scan of a million entries holds no million objects.
/// </summary>
internal sealed class IndexView(IndexPage[] pages, int[] order, RecordFile?[] files, string?[] types, string?[] groups)
{
    public int Count => order.Length;

    public IndexedEntry this[int position]
    {
        get
        {
            var slot = order[position];
            return EntryIndex.Materialize(pages[slot >> IndexPage.Shift], slot, id: null, files, types, groups);
        }
    }
}
