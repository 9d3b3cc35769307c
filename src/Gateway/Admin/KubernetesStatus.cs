using System.Text.Json.Nodes;

namespace Gateway.Admin;

/// <summary>
/// The API server's <c>Status</c> answer for a failed request, so that kubectl and client libraries
/// read every admin error as they read the API server's. Written by hand: KubernetesClient's
/// <c>V1Status</c> converter reads but does not write.
/// </summary>
internal static class KubernetesStatus
{
    public const string JsonType = "application/json";

    /// <summary>One entry of <c>details.causes</c>: a field and what is wrong with it.</summary>
    public sealed record Cause(string Reason, string Field, string Message)
    {
        /// <summary>The field error as the API server prints it: <c>field: message</c>.</summary>
        public override string ToString() => $"{Field}: {Message}";
    }

    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Status",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    /// <summary>422 <c>Invalid</c>: <c>Kind "name" is invalid: [errors]</c> with each error in <c>details.causes</c>.</summary>
    public static JsonObject Invalid(string kind, string resource, string name, IReadOnlyList<Cause> causes)
    {
        var list = causes.Count == 1 ? causes[0].ToString() : $"[{string.Join(", ", causes)}]";
        var details = new JsonObject
        {
            ["name"] = name,
            ["kind"] = resource,
            ["causes"] = new JsonArray([.. causes.Select(c => new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field })]),
        };
        return Failure(422, "Invalid", $"{kind} \"{name}\" is invalid: {list}", details);
    }

    /// <summary>The API server's <c>StatusReason</c> for an HTTP status code.</summary>
    public static string ReasonFor(int code) => code switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        413 => "RequestEntityTooLarge",
        415 => "UnsupportedMediaType",
        422 => "Invalid",
        429 => "TooManyRequests",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => code >= 500 ? "InternalError" : "BadRequest",
    };

    public static IResult Result(JsonObject status) =>
        Results.Text(status.ToJsonString(), JsonType, statusCode: (int)status["code"]!);

    public static IResult Result(int code, string reason, string message) => Result(Failure(code, reason, message));

    public static Task WriteAsync(HttpResponse response, int code, string reason, string message)
    {
        response.StatusCode = code;
        response.ContentType = JsonType;
        return response.WriteAsync(Failure(code, reason, message).ToJsonString());
    }
}
