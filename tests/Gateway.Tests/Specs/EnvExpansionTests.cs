using Gateway.Specs;

namespace Gateway.Tests.Specs;

public sealed class EnvExpansionTests
{
    private static readonly Dictionary<string, string> Vars = new() { ["A"] = "1", ["PORT"] = "8080", ["EMPTY"] = "" };

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("$(A)", "1")]
    [InlineData("--port=$(PORT)", "--port=8080")]
    [InlineData("$(A)$(PORT)", "18080")]
    [InlineData("$(MISSING)", "$(MISSING)")]
    [InlineData("$$(A)", "$(A)")]
    [InlineData("$$", "$")]
    [InlineData("a$b", "a$b")]
    [InlineData("$(A", "$(A")]
    [InlineData("$()", "$()")]
    [InlineData("x$(EMPTY)y", "xy")]
    [InlineData("end$", "end$")]
    public void Expand_KubernetesRules(string input, string expected) =>
        Assert.Equal(expected, EnvExpansion.Expand(input, n => Vars.TryGetValue(n, out var v) ? v : null));
}
