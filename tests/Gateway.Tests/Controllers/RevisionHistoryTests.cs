using Gateway.Controllers;
using static Gateway.Tests.Controllers.Deployments;

namespace Gateway.Tests.Controllers;

public sealed class RevisionHistoryTests
{
    /// <summary>Templates in force one after the other, written by hash; the revisions kept, <c>hash:number</c>, the newest first.</summary>
    [Theory]
    [InlineData("a", "a:1")]
    [InlineData("a a", "a:1")]
    [InlineData("a b", "b:2 a:1")]
    [InlineData("a b a", "a:3 b:2")]
    [InlineData("a b c b", "b:4 c:3 a:1")]
    public void Observe_Templates_NumberedAsTheDeploymentControllerDoes(string templates, string expected)
    {
        var history = RevisionHistory.Empty;
        foreach (var hash in templates.Split(' '))
        {
            history = history.Observe(Template(hash), T0);
        }

        Assert.Equal(expected, string.Join(' ', history.Revisions.OrderByDescending(r => r.Number).Select(r => $"{r.Template.Hash}:{r.Number}")));
        Assert.Equal(expected.Split(' ')[0].Split(':')[0], history.Current!.Template.Hash);
    }

    [Theory]
    [InlineData(10, 11)]
    [InlineData(2, 3)]
    [InlineData(0, 1)]
    public void Observe_BeyondTheLimit_OldestDropped(int limit, int kept)
    {
        var history = RevisionHistory.Empty;
        for (var i = 0; i < 15; i++)
        {
            history = history.Observe(Template($"t{i}"), T0, limit);
        }

        Assert.Equal(kept, history.Revisions.Count);
        Assert.Equal(15, history.Current!.Number);
        Assert.Equal(15 - kept + 1, history.Revisions.Min(r => r.Number));
    }

    [Fact]
    public void Previous_AfterTwoTemplates_TheFirst()
    {
        var history = RevisionHistory.Empty.Observe(Template("a"), T0).Observe(Template("b"), T0.AddSeconds(1));

        Assert.Equal("a", history.Previous!.Template.Hash);
        Assert.Null(history.Find(7));
    }

    [Fact]
    public void Observe_Rollback_KeepsTheRevisionsCreationTime()
    {
        var history = RevisionHistory.Empty.Observe(Template("a"), T0).Observe(Template("b"), T0.AddMinutes(1)).Observe(Template("a"), T0.AddMinutes(2));

        Assert.Equal(T0, history.Current!.Created);
    }
}
