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

    [Fact]
    public void TemplateHash_IsStableAndDependsOnTheTemplate()
    {
        Assert.Equal(NameGenerator.TemplateHash("a"), NameGenerator.TemplateHash("a"));
        Assert.NotEqual(NameGenerator.TemplateHash("a"), NameGenerator.TemplateHash("b"));
    }

    [Fact]
    public void PodName_IsNewEachTime()
    {
        var names = Enumerable.Range(0, 50).Select(_ => NameGenerator.PodName("web", "abc")).ToHashSet();

        Assert.Equal(50, names.Count);
    }
}
