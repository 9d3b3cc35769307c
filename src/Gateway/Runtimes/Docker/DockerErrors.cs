using System.Net.Sockets;
using Docker.DotNet;

namespace Gateway.Runtimes.Docker;

/// <summary>Tells an engine that does not answer from an engine that answered with an error.</summary>
internal static class DockerErrors
{
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        DockerApiException => false,
        HttpRequestException or SocketException or IOException or TimeoutException or TaskCanceledException => true,
        _ => exception.InnerException is { } inner && IsUnreachable(inner),
    };

    public static string Unreachable(Uri endpoint, Exception exception)
    {
        var why = endpoint.Scheme == "unix" && !File.Exists(endpoint.AbsolutePath) ? $"no socket at {endpoint.AbsolutePath}" : Innermost(exception).Message;
        return $"the Docker engine at {endpoint} is not answering ({why}): start it (e.g. dockerd) or set Gateway:Docker:Endpoint";
    }

    /// <summary>The engine's own message for an API error, else the exception's.</summary>
    public static string Message(Exception exception) => exception is DockerApiException api
        ? ApiMessage(api)
        : Innermost(exception).Message;

    private static string ApiMessage(DockerApiException api)
    {
        try
        {
            using var body = System.Text.Json.JsonDocument.Parse(api.ResponseBody ?? "");
            if (body.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } engineMessage)
            {
                return engineMessage;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return api.ResponseBody?.Trim() is { Length: > 0 } text ? text : api.Message;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }
}
