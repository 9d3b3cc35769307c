using Gateway.Admin;
using k8s;

namespace Gateway.Tests.Admin;

/// <summary>The kubeconfig is written as text (not with KubernetesYaml): every value must read back as the same string.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AdminKubeconfigTextTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("gateway-kubeconfig-text-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("p7kS1CZdBI5XtVM_-UmgW9Jzeu3AEAvfqK")]
    [InlineData("7f3a-token")]
    [InlineData("-starts-with-a-dash")]
    [InlineData("true")]
    [InlineData("No")]
    [InlineData("null")]
    [InlineData("12345")]
    [InlineData("1e3")]
    [InlineData("0x1F")]
    [InlineData("2026-12-02")]
    [InlineData("ends-with:")]
    [InlineData("a: b # not a comment")]
    [InlineData("quote\" backslash\\ tab\t")]
    [InlineData("ünïcödé+/=")]
    [InlineData("[flow]")]
    public void Write_AnyToken_ReadsBackTheSame(string token)
    {
        var path = Path.Combine(_folder, "gateway.kubeconfig");

        AdminKubeconfig.Write(path, "http://[::1]:19090", token);

        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        Assert.Equal(token, config.AccessToken);
        Assert.Equal("http://[::1]:19090", config.Host.TrimEnd('/'));
    }

    [Theory]
    [InlineData("http://127.0.0.1:19090", "http://127.0.0.1:19090")]
    [InlineData("abc", "abc")]
    [InlineData("true", "\"true\"")]
    [InlineData("123", "\"123\"")]
    [InlineData("a b", "\"a b\"")]
    public void Quoted_PlainOnlyWhereUnambiguous(string value, string want) => Assert.Equal(want, AdminKubeconfig.Quoted(value));
}
