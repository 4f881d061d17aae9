namespace Resilience.Internal;

/// <summary>
/// The result type used internally for callbacks that return nothing.
/// </summary>
internal readonly struct VoidResult
{
    public static readonly VoidResult Instance;

    public override string ToString() => "void";
}
