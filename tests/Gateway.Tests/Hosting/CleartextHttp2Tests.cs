using System.Buffers;
using System.Text;
using Gateway.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Gateway.Tests.Hosting;

public sealed class CleartextHttp2Tests
{
    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void Detect_ThePreface_Http2()
    {
        Assert.Equal(HttpProtocols.Http2, CleartextHttp2.Detect(Bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")));
        Assert.Equal(HttpProtocols.Http2, CleartextHttp2.Detect(Bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\x12\x04")));
    }

    [Theory]
    [InlineData("P")]
    [InlineData("PRI * HTTP/2.0\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r")]
    public void Detect_APrefixOfThePreface_NotYetDecided(string start) => Assert.Null(CleartextHttp2.Detect(Bytes(start)));

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("POST /x HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/1.1\r\n")] // an HTTP/1.x request with the method PRI: Kestrel answers it
    [InlineData("\x16\x03\x01")] // a TLS ClientHello, when this runs before the TLS middleware
    public void Detect_AnythingElse_Http1(string start) => Assert.Equal(HttpProtocols.Http1, CleartextHttp2.Detect(Bytes(start)));

    [Fact]
    public void Detect_ThePrefaceSplitAcrossSegments_Http2()
    {
        var first = new Segment("PRI * HTTP/2.0\r\n"u8.ToArray());
        var last = first.Append("\r\nSM\r\n\r\n"u8.ToArray());

        Assert.Equal(HttpProtocols.Http2, CleartextHttp2.Detect(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length)));
    }

    [Fact]
    public void IsAvailable_ThisKestrel_HasTheProtocolsFeature() => Assert.True(CleartextHttp2.IsAvailable);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes) => Memory = bytes;

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
