using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Events;
using Gateway.Pods;
using Gateway.Specs;
using Gateway.Probes;
using Gateway.Routing;
using Gateway.Telemetry;
using Yarp.ReverseProxy;

namespace Gateway.Admin;

/// <summary>
/// The admin port's <c>GET /</c>: services, pods as <c>kubectl get pods</c> shows them, each
/// container's last probe runs, recent events and the routes. Plain HTML rendered here that reloads
/// itself every <see cref="RefreshSeconds"/> seconds: no script, nothing fetched from elsewhere.
/// </summary>
internal sealed class StatusPage(PodRegistry registry, EndpointTable endpoints, EventRecorder events, ProbeStatusStore probes, IServiceProvider services, TimeProvider time)
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
        """;

    public string Render()
    {
        var now = time.GetUtcNow();
        var pods = registry.Pods.Values.OrderBy(p => p.ServiceName, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width,initial-scale=1">
            <meta http-equiv="refresh" content="{RefreshSeconds}">
            <title>Gateway</title><style>{Style}</style></head><body>
            <h1>Gateway</h1><p class="muted">{E(now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))}, refreshes every {RefreshSeconds} s</p>
            """);
        Services(html, pods);
        Pods(html, pods, now);
        Probes(html, pods, now);
        Events(html, now);
        Routes(html);
        html.Append("</body></html>");
        return html.ToString();
    }

    private void Services(StringBuilder html, List<PodState> pods)
    {
        html.Append("<h2>Services</h2><div class=\"scroll\"><table id=\"services\"><tr><th>Service</th><th>Pods ready</th><th>Endpoints ready / serving / terminating</th></tr>");
        // Every configured service, also one with no pod (scaled to zero, or a cluster's Service whose pods the gateway does not run).
        var names = services.GetRequiredService<ServiceCatalog>().Current.Services.Select(s => s.Name)
            .Union(pods.Select(p => p.ServiceName), StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var service in names)
        {
            var mine = pods.Where(p => p.ServiceName == service).ToList();
            var eps = endpoints.ForService(service).ToList();
            var ready = eps.Count(e => e.Ready);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(service)}</td><td>{mine.Count(p => p.Ready)}/{mine.Count}</td>"
                + $"<td class=\"{(ready > 0 ? "ok" : "bad")}\">{ready} / {eps.Count(e => e.Serving)} / {eps.Count(e => e.Terminating)}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private static void Pods(StringBuilder html, List<PodState> pods, DateTimeOffset now)
    {
        html.Append("<h2>Pods</h2><div class=\"scroll\"><table id=\"pods\"><tr><th>Name</th><th>Ready</th><th>Status</th><th>Restarts</th><th>Age</th></tr>");
        foreach (var pod in pods)
        {
            // The columns of `kubectl get pods`, from the same Pod the admin API serves.
            var v1 = PodMapper.ToV1Pod(pod);
            var status = KubectlTable.StatusColumn(v1);
            var css = status == "Running" && pod.Ready ? "ok" : status is "Running" or "Pending" or "ContainerCreating" or "Terminating" ? "warn" : "bad";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(pod.Name)}</td><td>{KubectlTable.ReadyColumn(v1)}</td><td class=\"{css}\">{E(status)}</td>"
                + $"<td>{E(KubectlTable.RestartsColumn(v1, now))}</td><td>{KubectlTable.HumanDuration(now - pod.CreatedAt)}</td></tr>");
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
