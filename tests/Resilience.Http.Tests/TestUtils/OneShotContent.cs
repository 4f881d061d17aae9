using System.Net;

namespace Resilience.Http.Tests.TestUtils;

/// <summary>
/// Content that can be read once only (a live upload stream), with a known or unknown length, and that counts how
/// many times it was serialized.
/// </summary>
internal sealed class OneShotContent(string text, bool knownLength) : HttpContent
{
    private readonly byte[] _bytes = System.Text.Encoding.UTF8.GetBytes(text);

    public int Serializations { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        if (++Serializations > 1)
        {
            throw new InvalidOperationException("A one-shot body was read twice.");
        }

        await stream.WriteAsync(_bytes);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _bytes.Length;
        return knownLength;
    }
}
