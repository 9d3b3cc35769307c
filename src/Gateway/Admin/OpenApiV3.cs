using System.Text.Json.Nodes;

namespace Gateway.Admin;

/// <summary>
/// The smallest OpenAPI v3 the API server's clients need: kubectl <c>create</c>, <c>apply</c> and
/// <c>replace</c> validate a manifest (<c>--validate=strict</c>, the default) by asking whether the
/// server checks fields itself (<c>fieldValidation</c> on the kind's PATCH); with no OpenAPI at all they
/// stop at "failed to download openapi" before the request reaches the gateway and its 405. The
/// document says the core kinds served accept <c>fieldValidation</c>, so kubectl sends the request and
/// prints the gateway's answer.
/// </summary>
internal static class OpenApiV3
{
    public const string Root = "/openapi/v3";

    private const string CoreV1 = "api/v1";

    /// <summary>The index: one entry per group version (<c>paths</c> by relative URL).</summary>
    public static JsonObject Index() => new()
    {
        ["paths"] = new JsonObject { [CoreV1] = new JsonObject { ["serverRelativeURL"] = $"{Root}/{CoreV1}" } },
    };

    /// <summary>The core group's document: a PATCH per served kind, each taking <c>fieldValidation</c>.</summary>
    public static JsonObject CoreV1Document() => new()
    {
        ["openapi"] = "3.0.0",
        ["info"] = new JsonObject { ["title"] = "Gateway admin API", ["version"] = "v1" },
        ["paths"] = new JsonObject
        {
            ["/api/v1/namespaces/{namespace}/pods/{name}"] = Patch("Pod"),
            ["/api/v1/namespaces/{namespace}/events/{name}"] = Patch("Event"),
        },
    };

    private static JsonObject Patch(string kind) => new()
    {
        ["patch"] = new JsonObject
        {
            ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = kind },
            ["parameters"] = new JsonArray(new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
            ["responses"] = new JsonObject { ["405"] = new JsonObject { ["description"] = "MethodNotAllowed" } },
        },
    };
}
