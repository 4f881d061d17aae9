using System.Collections;

namespace Resilience.Compensation.Internal;

/// <summary>
/// Builds step results, sharing one instance per index for the successes of the first steps: a success carries
/// nothing but its index, and the record is immutable, so a rollback of no-op steps allocates no result per step —
/// and, when every step of a short stack succeeded, no array of them either (<see cref="AllSucceeded"/>).
/// </summary>
internal static class StepResults
{
    /// <summary>The indices below this share their success result.</summary>
    public const int Shared = 128;

    private static readonly CompensationStepResult?[] Successes = new CompensationStepResult?[Shared];

    public static CompensationStepResult For(int index, Exception? failure)
    {
        if (failure is not null)
        {
            return new CompensationStepResult(index, false, failure);
        }

        if ((uint)index >= Shared)
        {
            return new CompensationStepResult(index, true, null);
        }

        // A race builds two equal instances and keeps either: harmless.
        return Successes[index] ??= new CompensationStepResult(index, true, null);
    }

    /// <summary>
    /// The results of a stack of <paramref name="count"/> steps (at most <see cref="Shared"/>) that all succeeded, in
    /// the order they ran (highest index first), read from the shared instances: each read returns the same instance.
    /// </summary>
    public static IReadOnlyList<CompensationStepResult> AllSucceeded(int count) => new SucceededInReverse(count);

    private sealed class SucceededInReverse(int count) : IReadOnlyList<CompensationStepResult>
    {
        public int Count => count;

        public CompensationStepResult this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)count, nameof(index));
                return For(count - 1 - index, null);
            }
        }

        public IEnumerator<CompensationStepResult> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
