using System.Text.RegularExpressions;
using Gateway.Specs;

namespace Gateway.Tests.Specs;

public sealed class NameGeneratorTests
{
    [Fact]
    public void PodName_LooksLikeKubernetes()
    {
        var hash = NameGenerator.TemplateHash("{\"containers\":[]}");
        var name = NameGenerator.PodName("web", hash);

        Assert.Matches(new Regex("^web-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$"), name);
    }

    /// <summary>
    /// Known answers from Kubernetes' own algorithm: FNV-1a 32 (Go's <c>hash/fnv</c>), printed in
    /// decimal, each digit encoded by <c>rand.SafeEncodeString</c>, as <c>controller.ComputeHash</c>
    /// does. Computed by testdata/templatehash/main.go (<c>go run .</c> there prints these rows); the
    /// FNV-1a values noted for "", "a" and "foobar" are also Go's own hash/fnv test vectors. Kubernetes hashes
    /// the spew dump of the Go struct where the gateway hashes the template's canonical JSON, so only
    /// the hash-and-encode step can be compared, and these inputs are plain strings.
    /// </summary>
    [Theory]
    [InlineData("", "65bb57b6b5")] // FNV-1a 32: 0x811c9dc5
    [InlineData("a", "7d6b446664")] // FNV-1a 32: 0xe40c292c
    [InlineData("foobar", "7658c79c64")] // FNV-1a 32: 0xbf9cf968
    [InlineData("Process:{\"containers\":[{\"command\":[\"dotnet\",\"app.dll\"],\"name\":\"web\"}]}", "67bbcd9db5")] // FNV-1a 32: 0x8d124945
    [InlineData("Docker:{\"containers\":[{\"image\":\"nginx:1.27\",\"name\":\"web\",\"ports\":[{\"containerPort\":80}]}],\"restartPolicy\":\"Always\"}", "75d5c4876f")] // FNV-1a 32: 0xbda4f489
    [InlineData("h\u00e9llo \u2603", "545d8d7c7f")] // FNV-1a 32: 0x3cb4d41b
    public void TemplateHash_KnownInput_KubernetesHashAndEncoding(string canonicalJson, string expected)
    {
        Assert.Equal(expected, NameGenerator.TemplateHash(canonicalJson));
    }

    [Fact]
    public void PodName_IsNewEachTime()
    {
        var names = Enumerable.Range(0, 50).Select(_ => NameGenerator.PodName("web", "abc")).ToHashSet();

        Assert.Equal(50, names.Count);
    }
}
