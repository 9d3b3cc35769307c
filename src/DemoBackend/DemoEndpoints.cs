using System.Text;

namespace DemoBackend;

/// <summary>The HTTP surface: what agnhost-like tests and the gateway's demo ask of a pod.</summary>
internal static class DemoEndpoints
{
    public static void MapDemoEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stats", (RequestCounter counter) => Results.Text($"requests {counter.Requests}\n"));
        app.MapGet("/", (BackendOptions options, HealthState state) =>
            state.RequestsFail ? Results.Text($"failing on purpose: {options.PodName}\n", statusCode: 500) : Results.Text($"hello from {options.PodName}\n"));
        app.MapGet("/healthz", (HealthState state) => state.IsLive ? Results.Text("ok\n") : Results.Text("unhealthy\n", statusCode: 500));
        app.MapGet("/readyz", (HealthState state) => state.IsReady ? Results.Text("ready\n") : Results.Text("not ready\n", statusCode: 503));
        app.MapPost("/admin/fail-liveness", (HealthState state) => Admin(state.FailLiveness, "liveness now fails\n"));
        app.MapPost("/admin/fail-readiness", (HealthState state) => Admin(state.FailReadiness, "readiness now fails\n"));
        app.MapPost("/admin/fail-requests", (HealthState state) => Admin(state.FailRequests, "/ now answers 500; readiness is unchanged\n"));
        app.MapPost("/admin/recover", (HealthState state) => Admin(state.Recover, "recovered\n"));
        app.MapGet("/slow", SlowAsync);
        app.MapGet("/redirect", (string? loc) => string.IsNullOrEmpty(loc) ? Results.Text("loc is required\n", statusCode: 400) : Results.Redirect(loc));
        app.Map("/echo", EchoAsync);
    }

    private static IResult Admin(Action change, string message)
    {
        change();
        return Results.Text(message);
    }

    private static async Task<IResult> SlowAsync(int ms, TimeProvider time, CancellationToken requestAborted)
    {
        if (ms < 0)
        {
            return Results.Text("ms must be 0 or more\n", statusCode: 400);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(ms), time, requestAborted);
        return Results.Text($"slept {ms} ms\n");
    }

    private static async Task<IResult> EchoAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);

        var text = new StringBuilder();
        text.Append(request.Method).Append(' ').Append(request.PathBase).Append(request.Path).Append(request.QueryString).Append('\n');
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                text.Append(name).Append(": ").Append(value).Append('\n');
            }
        }

        text.Append('\n').Append(body);
        return Results.Text(text.ToString());
    }
}
