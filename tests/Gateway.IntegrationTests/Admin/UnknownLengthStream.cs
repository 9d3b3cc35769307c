namespace Gateway.IntegrationTests.Admin;

/// <summary>A body of unknown length, so that HttpClient sends it chunked and the server learns its size only by reading.</summary>
internal sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
{
    public override bool CanSeek => false;
}
