using System.Net.Sockets;
using Gateway.Hosting;
using Gateway.Specs;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Tests.Hosting;

public sealed class ListenerFailureTests
{
    private static readonly GatewaySpec Spec = new("http://127.0.0.1:8080", "http://127.0.0.1:9090", []);

    private static IOException InUse(string address) =>
        new($"Failed to bind to address {address}: address already in use.", new AddressInUseException("Address already in use", new SocketException((int)SocketError.AddressAlreadyInUse)));

    [Theory]
    [InlineData("http://127.0.0.1:8080", "Gateway:Proxy:Urls: cannot listen on http://127.0.0.1:8080: address already in use, held by pid 1234 (nginx); stop it or choose another port")]
    [InlineData("http://127.0.0.1:9090", "Gateway:Admin:Urls: cannot listen on http://127.0.0.1:9090: address already in use, held by pid 1234 (nginx); stop it or choose another port")]
    [InlineData("http://[::1]:9090", "Gateway:Admin:Urls: cannot listen on http://[::1]:9090: address already in use, held by pid 1234 (nginx); stop it or choose another port")]
    public void Describe_AddressInUse_NamesTheFieldTheAddressAndTheHolder(string address, string expected)
    {
        Assert.Equal(expected, ListenerFailure.Describe(InUse(address), Spec, _ => "held by pid 1234 (nginx)"));
    }

    [Fact]
    public void Describe_ProxyAndAdminOnOnePort_SaysSoInsteadOfBlamingItself()
    {
        var spec = Spec with { AdminUrls = "http://127.0.0.1:8080" };

        Assert.Equal(
            "Gateway:Proxy:Urls: cannot listen on http://127.0.0.1:8080: address already in use, the Proxy and the Admin listener name the same port; stop it or choose another port",
            ListenerFailure.Describe(InUse("http://127.0.0.1:8080"), spec, _ => throw new InvalidOperationException("not asked")));
    }

    [Fact]
    public void Describe_PermissionDenied_GivesTheSystemsReason()
    {
        var e = new IOException("Failed to bind to address http://127.0.0.1:80.", new SocketException((int)SocketError.AccessDenied));
        var spec = Spec with { ProxyUrls = "http://127.0.0.1:80" };

        Assert.Equal($"Gateway:Proxy:Urls: cannot listen on http://127.0.0.1:80: {new SocketException((int)SocketError.AccessDenied).Message}; choose another address or port",
            ListenerFailure.Describe(e, spec, _ => ""));
    }

    [Fact]
    public void Describe_AnotherIOException_IsNotAListenerFailure()
    {
        Assert.Null(ListenerFailure.Describe(new IOException("disk full"), Spec, _ => ""));
    }
}
