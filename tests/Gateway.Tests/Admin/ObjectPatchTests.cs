using System.Text.Json.Nodes;
using Gateway.Admin;

namespace Gateway.Tests.Admin;

public sealed class ObjectPatchTests
{
    [Theory]
    [InlineData(ObjectPatch.MergePatch, """{"a":{"b":1,"c":2},"d":[1]}""", """{"a":{"b":null,"e":3},"d":[2]}""", """{"a":{"c":2,"e":3},"d":[2]}""")]
    [InlineData(ObjectPatch.StrategicMergePatch, """{"a":1}""", """{"b":{"c":true}}""", """{"a":1,"b":{"c":true}}""")]
    [InlineData(ObjectPatch.JsonPatch, """{"a":{"b":1}}""", """[{"op":"replace","path":"/a/b","value":2},{"op":"add","path":"/c","value":[]},{"op":"add","path":"/c/-","value":"x"}]""", """{"a":{"b":2},"c":["x"]}""")]
    [InlineData(ObjectPatch.JsonPatch, """{"a":{"b/c":1,"d":2}}""", """[{"op":"remove","path":"/a/b~1c"},{"op":"test","path":"/a/d","value":2}]""", """{"a":{"d":2}}""")]
    [InlineData("application/merge-patch+json; charset=utf-8", """{"a":1}""", """{"a":2}""", """{"a":2}""")]
    public void Apply_Patch_AsTheRfcSays(string type, string target, string patch, string expected)
    {
        var result = ObjectPatch.Apply(JsonNode.Parse(target)!, type, patch, out var error);

        Assert.Null(error);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), result?.ToJsonString());
    }

    [Theory]
    [InlineData(ObjectPatch.MergePatch, "not json", "error decoding patch: the body is not JSON")]
    [InlineData(ObjectPatch.MergePatch, "[]", "error decoding patch: a merge patch must be a JSON object")]
    [InlineData(ObjectPatch.JsonPatch, "{}", "error decoding patch: a JSON patch must be an array of operations")]
    [InlineData(ObjectPatch.JsonPatch, """[{"op":"move","path":"/a","from":"/b"}]""", "the JSON patch operation move of /a cannot be applied")]
    [InlineData(ObjectPatch.JsonPatch, """[{"op":"replace","path":"/x/y","value":1}]""", "the JSON patch path /x/y does not exist")]
    [InlineData(ObjectPatch.JsonPatch, """[{"op":"test","path":"/a","value":2}]""", "the JSON patch test of /a failed")]
    [InlineData("text/plain", "{}", "the body of the request was in an unknown format")]
    public void Apply_BadPatch_ErrorNoResult(string type, string patch, string error)
    {
        Assert.Null(ObjectPatch.Apply(JsonNode.Parse("""{"a":1}""")!, type, patch, out var message));
        Assert.StartsWith(error, message, StringComparison.Ordinal);
        Assert.False(ObjectPatch.IsSupported("text/plain"));
    }
}
