using Gateway.Admin;

namespace Gateway.Tests.Admin;

public sealed class AdminBindingTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9090", true)]
    [InlineData("http://127.0.0.2:9090", true)]
    [InlineData("http://[::1]:9090", true)]
    [InlineData("http://localhost:9090", true)]
    [InlineData("http://127.0.0.1:9090;http://[::1]:9090", true)]
    [InlineData(" http://127.0.0.1:9090 ; ", true)]
    [InlineData("http://0.0.0.0:9090", false)]
    [InlineData("http://[::]:9090", false)]
    [InlineData("http://*:9090", false)]
    [InlineData("http://+:9090", false)]
    [InlineData("http://10.0.0.5:9090", false)]
    [InlineData("http://gateway.example:9090", false)]
    [InlineData("http://127.0.0.1:9090;http://0.0.0.0:9091", false)]
    [InlineData("http://unix:/run/gateway.sock", false)]
    [InlineData("", false)]
    public void IsLoopbackOnly_EveryUrlMustBindLoopback(string urls, bool want) => Assert.Equal(want, AdminBinding.IsLoopbackOnly(urls));

    [Theory]
    [InlineData("http://127.0.0.1:9090", false)]
    [InlineData("https://0.0.0.0:9090", true)]
    [InlineData("http://127.0.0.1:9090;HTTPS://[::1]:9443", true)]
    public void UsesHttps_AnyHttpsUrl(string urls, bool want) => Assert.Equal(want, AdminBinding.UsesHttps(urls));
}
