using System.Net;
using System.Text.Json.Nodes;

namespace Gateway.IntegrationTests.Admin;

/// <summary>Reads an admin answer that must be a Kubernetes <c>Status</c>.</summary>
internal static class AdminStatus
{
    /// <summary>A merge patch of <c>status.conditions</c> that sets one condition.</summary>
    public static string ConditionPatch(string type, string status) =>
        "{\"status\":{\"conditions\":[{\"type\":\"" + type + "\",\"status\":\"" + status + "\"}]}}";

    /// <summary><see cref="ConditionPatch"/> as a request body.</summary>
    public static StringContent SetCondition(string type, string status) =>
        new(ConditionPatch(type, status), System.Text.Encoding.UTF8, "application/merge-patch+json");

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response, HttpStatusCode code, string reason)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(code == response.StatusCode, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var status = JsonNode.Parse(text)!;
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal(reason, (string?)status["reason"]);
        Assert.Equal((int)code, (int?)status["code"]);
        Assert.False(string.IsNullOrEmpty((string?)status["message"]));
        return status;
    }
}
