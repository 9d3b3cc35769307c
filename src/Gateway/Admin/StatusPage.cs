using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Controllers;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Specs;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Telemetry;
using Yarp.ReverseProxy;

namespace Gateway.Admin;

/// <summary>
/// The admin port's <c>GET /</c>, a dashboard: per service its request rate, error rate and p99 of
/// the last minutes as small charts (<see cref="RequestHistory"/>, drawn as inline SVG by
/// <see cref="DashboardCharts"/>), pods as <c>kubectl get pods</c> shows them with a restart button,
/// each pod's timeline strip (<see cref="DashboardTimeline"/>), scale and rollout restart for each
/// Deployment, the last probe runs, recent events and the routes. Rendered here, nothing fetched
/// from elsewhere: one inline script (<see cref="DashboardScript"/>) runs under a
/// Content-Security-Policy that allows only it (by a nonce made for each response) and requests to
/// the page's own origin; without script the page still shows and reloads itself. Everything from
/// the settings file or the pods is HTML-escaped.
/// </summary>
internal sealed class StatusPage(PodRegistry registry, EndpointTable endpoints, EventRecorder events, ProbeStatusStore probes, RequestHistory history, DashboardTimeline timeline,
    IServiceProvider services, TimeProvider time)
{
    public const int RefreshSeconds = 2;
    public const int EventsShown = 30;

    private const string Style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;padding:8px;max-width:1100px;color:#222}
        h1{font-size:20px;margin:4px 0}h2{font-size:16px;margin:18px 0 6px;border-bottom:1px solid #ddd}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}
        th,td{text-align:left;padding:3px 8px 3px 0;vertical-align:top;white-space:nowrap}
        th{font-size:12px;color:#666;text-transform:uppercase}td.wrap{white-space:normal;word-break:break-word}
        pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:12px;max-height:6em;overflow:auto}
        .ok{color:#17803d}.bad{color:#c62828;font-weight:600}.warn{color:#b26a00}.muted{color:#777}
        #token-bar{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:6px 0}#action-result{min-height:1.4em;margin:2px 0}
        input.replicas{width:4em}button{font:inherit;font-size:12px;padding:1px 6px;cursor:pointer}
        svg.chart,svg.strip{display:block}.swatch{display:inline-block;width:12px;height:10px;margin:0 3px 0 8px;vertical-align:middle}
        """;

    /// <summary>
    /// Only the page's own script (by its nonce), inline styles, and requests to the admin origin:
    /// a name or message that slipped through unescaped still could not run or load anything.
    /// </summary>
    public static string ContentSecurityPolicy(string nonce) =>
        $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The page with its headers: the policy and its nonce, and no caching (it holds pod state and is the token's page).</summary>
    public IResult Respond(HttpContext context)
    {
        var nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy(nonce);
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return Results.Content(Render(nonce), "text/html; charset=utf-8");
    }

    public string Render(string nonce)
    {
        var now = time.GetUtcNow();
        var pods = registry.Pods.Values.OrderBy(p => p.ServiceName, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width,initial-scale=1">
            <noscript><meta http-equiv="refresh" content="{RefreshSeconds}"></noscript>
            <title>Gateway</title><style>{Style}</style></head><body>
            <h1>Gateway</h1>
            <div id="token-bar"><label for="token">Admin token</label><input id="token" type="password" autocomplete="off" placeholder="paste the token to allow the buttons" size="40">
            <button id="save-token" type="button">Use</button><button id="forget-token" type="button">Forget</button><span id="token-state" class="muted">the buttons need script</span></div>
            <p id="action-result" role="status"></p>
            <div id="live"><p class="muted">{E(now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}, refreshes every {RefreshSeconds} s</p>
            """);
        Services(html, pods);
        Traffic(html, pods);
        Pods(html, pods, now);
        Timelines(html, now);
        Probes(html, pods, now);
        Events(html, now);
        Routes(html);
        html.Append(CultureInfo.InvariantCulture, $"</div><script nonce=\"{nonce}\">{DashboardScript.Source(RefreshSeconds * 1000)}</script></body></html>");
        return html.ToString();
    }

    /// <summary>Every configured service, also one with no pod (scaled to zero, or a cluster's Service whose pods the gateway does not run).</summary>
    private List<string> ServiceNames(List<PodState> pods) =>
        [.. services.GetRequiredService<ServiceCatalog>().Current.Services.Select(s => s.Name)
            .Union(pods.Select(p => p.ServiceName), StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private void Services(StringBuilder html, List<PodState> pods)
    {
        html.Append("<h2>Services</h2><div class=\"scroll\"><table id=\"services\"><tr><th>Service</th><th>Pods ready</th><th>Endpoints ready / serving / terminating</th><th>Deployment</th></tr>");
        var catalog = services.GetRequiredService<ServiceCatalog>().Current.Services;
        var deployments = services.GetRequiredService<DeploymentStore>();
        foreach (var service in ServiceNames(pods))
        {
            var mine = pods.Where(p => p.ServiceName == service).ToList();
            var eps = endpoints.ForService(service).ToList();
            var ready = eps.Count(e => e.Ready);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(service)}</td><td>{mine.Count(p => p.Ready)}/{mine.Count}</td>"
                + $"<td class=\"{(ready > 0 ? "ok" : "bad")}\">{ready} / {eps.Count(e => e.Serving)} / {eps.Count(e => e.Terminating)}</td><td>");
            if (catalog.FirstOrDefault(s => s.Name == service) is { } file && DeploymentStore.IsDeployment(file))
            {
                // What `kubectl scale` and `kubectl rollout restart` would do, through the same API.
                var replicas = deployments.Read(file).Effective.Pods?.Replicas ?? 0;
                html.Append(CultureInfo.InvariantCulture, $"<input class=\"replicas\" type=\"number\" min=\"0\" value=\"{replicas}\" aria-label=\"replicas of {E(service)}\">"
                    + $" <button type=\"button\" data-action=\"scale\" data-name=\"{E(service)}\">Scale</button>"
                    + $" <button type=\"button\" data-action=\"rollout-restart\" data-name=\"{E(service)}\">Rollout restart</button>");
            }

            html.Append("</td></tr>");
        }

        html.Append("</table></div>");
    }

    /// <summary>Each service's last minutes from <see cref="RequestHistory"/>: requests/s, failed requests/s (5xx or no response), p99.</summary>
    private void Traffic(StringBuilder html, List<PodState> pods)
    {
        html.Append(CultureInfo.InvariantCulture, $"<h2>Traffic, last {RequestHistory.Slots * RequestHistory.SlotSeconds / 60} min</h2><div class=\"scroll\"><table id=\"traffic\"><tr><th>Service</th><th>Requests</th><th>Errors (5xx, no response)</th><th>p99 latency</th></tr>");
        foreach (var service in ServiceNames(pods).Union(history.Services, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var points = history.Read(service);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(service)}</td>"
                + $"<td>{DashboardCharts.Svg(service, "requests", "requests/s", [.. points.Select(p => (double?)p.RequestRate)], Rate, "#1565c0")}</td>"
                + $"<td>{DashboardCharts.Svg(service, "errors", "errors/s", [.. points.Select(p => (double?)p.ErrorRate)], Rate, "#c62828")}</td>"
                + $"<td>{DashboardCharts.Svg(service, "p99", "p99", [.. points.Select(p => p.P99?.TotalMilliseconds)], Milliseconds, "#6a1b9a")}</td></tr>");
        }

        html.Append("</table></div>");
    }

    /// <summary>Each pod's strip over the same minutes, live pods and those removed within them.</summary>
    private void Timelines(StringBuilder html, DateTimeOffset now)
    {
        var tracks = timeline.Pods;
        var warnings = events.Snapshot.Where(e => e.Kind == "Pod" && e.Type == EventType.Warning).ToLookup(e => e.PodName, StringComparer.Ordinal);
        html.Append(CultureInfo.InvariantCulture, $"<h2>Pod timelines, last {DashboardTimeline.Window.TotalMinutes:0} min</h2><p class=\"muted\">{DashboardTimeline.Legend()}</p>"
            + $"<div class=\"scroll\"><table id=\"timelines\"><tr><th>Pod</th><th>Timeline (now at the right)</th></tr>");
        foreach (var (name, track) in tracks.OrderBy(t => t.Value.Service, StringComparer.Ordinal).ThenBy(t => t.Key, StringComparer.Ordinal))
        {
            var gone = track.RemovedAt is null ? "" : " <span class=\"muted\">(gone)</span>";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(name)}{gone}</td><td>{DashboardTimeline.Svg(name, track, [.. warnings[name]], now)}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private static string Rate(double perSecond) => perSecond.ToString(perSecond < 10 ? "0.##" : "0", CultureInfo.InvariantCulture) + "/s";

    private static string Milliseconds(double ms) =>
        ms >= 1000 ? (ms / 1000).ToString("0.##", CultureInfo.InvariantCulture) + " s" : ms.ToString(ms < 10 ? "0.#" : "0", CultureInfo.InvariantCulture) + " ms";

    private static void Pods(StringBuilder html, List<PodState> pods, DateTimeOffset now)
    {
        html.Append("<h2>Pods</h2><div class=\"scroll\"><table id=\"pods\"><tr><th>Name</th><th>Ready</th><th>Status</th><th>Restarts</th><th>Age</th><th></th></tr>");
        foreach (var pod in pods)
        {
            // The columns of `kubectl get pods`, from the same Pod the admin API serves.
            var v1 = PodMapper.ToV1Pod(pod);
            var status = KubectlTable.StatusColumn(v1);
            var css = status == "Running" && pod.Ready ? "ok" : status is "Running" or "Pending" or "ContainerCreating" or "Terminating" ? "warn" : "bad";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(pod.Name)}</td><td>{KubectlTable.ReadyColumn(v1)}</td><td class=\"{css}\">{E(status)}</td>"
                + $"<td>{E(KubectlTable.RestartsColumn(v1, now))}</td><td>{KubectlTable.HumanDuration(now - pod.CreatedAt)}</td><td>"
                + $"{(pod.IsDeleting ? "" : $"<button type=\"button\" data-action=\"restart-pod\" data-name=\"{E(pod.Name)}\">Restart</button>")}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private void Probes(StringBuilder html, List<PodState> pods, DateTimeOffset now)
    {
        html.Append("<h2>Probes</h2><div class=\"scroll\"><table id=\"probes\"><tr><th>Pod / container</th><th>Probe</th><th>Last result</th><th>When</th><th>Output</th></tr>");
        var store = probes.Pods;
        foreach (var pod in pods)
        {
            if (!store.TryGetValue(pod.Name, out var runs))
            {
                continue;
            }

            foreach (var ((container, kind), run) in runs.Last.OrderBy(r => r.Key.Container, StringComparer.Ordinal).ThenBy(r => r.Key.Kind))
            {
                var (text, css) = run.IsError ? ("error", "bad") : run.Result == ProbeResult.Success ? ("success", "ok") : ("failure", "bad");
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(pod.Name)} / {E(container)}</td><td>{GatewayMetrics.KindName(kind)} ({E(run.Handler)})</td>"
                    + $"<td class=\"{css}\">{text}</td><td>{KubectlTable.HumanDuration(now - run.At)} ago, {run.Duration.TotalMilliseconds:0} ms</td>"
                    + $"<td class=\"wrap\"><pre>{E(run.Output)}</pre></td></tr>");
            }
        }

        html.Append("</table></div>");
    }

    private void Events(StringBuilder html, DateTimeOffset now)
    {
        html.Append("<h2>Recent events</h2><div class=\"scroll\"><table id=\"events\"><tr><th>Last seen</th><th>Type</th><th>Reason</th><th>Object</th><th>Message</th></tr>");
        foreach (var e in events.Snapshot.Reverse().Take(EventsShown))
        {
            var count = e.Count > 1 ? $" (x{e.Count})" : "";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{KubectlTable.HumanDuration(now - e.LastTimestamp)}{count}</td><td class=\"{(e.Type == "Warning" ? "warn" : "")}\">{E(e.Type)}</td>"
                + $"<td>{E(e.Reason)}</td><td>pod/{E(e.PodName)}</td><td class=\"wrap\">{E(e.Message)}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private void Routes(StringBuilder html)
    {
        html.Append("<h2>Routes</h2><div class=\"scroll\"><table id=\"routes\"><tr><th>Route</th><th>Path</th><th>Hosts</th><th>Service</th></tr>");
        foreach (var route in services.GetRequiredService<IProxyStateLookup>().GetRoutes().OrderBy(r => r.Config.RouteId, StringComparer.Ordinal))
        {
            var match = route.Config.Match;
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(route.Config.RouteId)}</td><td>{E(match.Path ?? "")}</td>"
                + $"<td>{E(string.Join(", ", match.Hosts ?? []))}</td><td>{E(route.Config.ClusterId ?? "")}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
