using System.Text.Json.Nodes;
using Gateway.Admin;

namespace Gateway.Tests.Admin;

public sealed class StatusPatchTests
{
    private static readonly string[] Gates = ["example.com/lb", "example.com/warm"];

    private static (IReadOnlyDictionary<string, bool> Conditions, string[] Causes) Read(string json, string[]? gates = null)
    {
        var conditions = StatusPatch.Conditions((JsonObject)JsonNode.Parse(json)!, gates ?? Gates, out var causes);
        return (conditions, [.. causes.Select(c => $"{c.Reason} {c}")]);
    }

    [Theory]
    [InlineData("""{"status":{"conditions":[{"type":"example.com/lb","status":"True"}]}}""", "example.com/lb=True")]
    [InlineData("""{"status":{"conditions":[{"type":"example.com/lb","status":"False"},{"type":"example.com/warm","status":"True","reason":"Warm"}]}}""", "example.com/lb=False,example.com/warm=True")]
    [InlineData("""{"status":{"conditions":[{"type":"example.com/lb","status":"True"},{"type":"example.com/lb","status":"False"}]}}""", "example.com/lb=False")]
    [InlineData("""{"status":{"conditions":[]}}""", "")]
    [InlineData("""{"status":{}}""", "")]
    [InlineData("""{"status":null}""", "")]
    [InlineData("""{}""", "")]
    [InlineData("""{"metadata":{"labels":{"a":"b"}}}""", "")]
    public void Conditions_DeclaredGates_AreSet(string json, string want)
    {
        var (conditions, causes) = Read(json);

        Assert.Empty(causes);
        Assert.Equal(want, string.Join(',', conditions.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={(c.Value ? "True" : "False")}")));
    }

    [Theory]
    [InlineData("""{"status":{"conditions":[{"type":"invented","status":"True"}]}}""",
        """FieldValueNotSupported status.conditions[0].type: Unsupported value: "invented": supported values: "example.com/lb", "example.com/warm" """)]
    [InlineData("""{"status":{"conditions":[{"type":"example.com/lb","status":"Maybe"}]}}""",
        """FieldValueNotSupported status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True" """)]
    [InlineData("""{"status":{"conditions":[{"status":"True"}]}}""", "FieldValueRequired status.conditions[0].type: Required value")]
    [InlineData("""{"status":{"conditions":[{"type":"example.com/lb"}]}}""", "FieldValueRequired status.conditions[0].status: Required value")]
    [InlineData("""{"status":{"conditions":[{"type":5,"status":"True"}]}}""", "FieldValueTypeInvalid status.conditions[0].type: Invalid value: 5: must be of type string")]
    [InlineData("""{"status":{"conditions":[{"type":"example.com/lb","status":true}]}}""", "FieldValueTypeInvalid status.conditions[0].status: Invalid value: true: must be of type string")]
    [InlineData("""{"status":{"conditions":[42]}}""", "FieldValueTypeInvalid status.conditions[0]: Invalid value: 42: must be of type object")]
    [InlineData("""{"status":{"conditions":{"type":"example.com/lb"}}}""", """FieldValueTypeInvalid status.conditions: Invalid value: {"type":"example.com/lb"}: must be of type array""")]
    [InlineData("""{"status":"Ready"}""", "FieldValueTypeInvalid status: Invalid value: \"Ready\": must be of type object")]
    public void Conditions_AnythingElse_IsAFieldErrorAndNothingIsSet(string json, string want)
    {
        var (conditions, causes) = Read(json);

        Assert.Equal([want.TrimEnd()], causes);
        Assert.Empty(conditions);
    }

    [Fact]
    public void Conditions_PodWithoutGates_SaysNoneCanBeSet()
    {
        var (_, causes) = Read("""{"status":{"conditions":[{"type":"example.com/lb","status":"True"}]}}""", gates: []);

        Assert.Equal(["FieldValueNotSupported status.conditions[0].type: Unsupported value: \"example.com/lb\": none: the pod's spec.readinessGates is empty"], causes);
    }

    [Fact]
    public void Conditions_OneBadAmongGood_SetsNothing()
    {
        var (conditions, causes) = Read("""{"status":{"conditions":[{"type":"example.com/lb","status":"True"},{"type":"x","status":"True"}]}}""");

        Assert.Single(causes);
        Assert.Empty(conditions);
    }

    [Fact]
    public void Conditions_ThousandsOfInventedTypes_ListsAtMostMaxCausesWithValuesCut()
    {
        var many = string.Join(',', Enumerable.Range(0, 5000).Select(i => $$"""{"type":"{{new string('x', 200)}}{{i}}","status":"True"}"""));

        var (conditions, causes) = Read("""{"status":{"conditions":[""" + many + "]}}");

        Assert.Empty(conditions);
        Assert.Equal(StatusPatch.MaxCauses, causes.Length);
        Assert.All(causes, c => Assert.Contains("...(truncated)", c, StringComparison.Ordinal));
        Assert.All(causes, c => Assert.True(c.Length < 400, c));
    }
}
