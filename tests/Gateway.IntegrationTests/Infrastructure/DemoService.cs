namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>Services of the demo backend, as members of a settings file's <c>Gateway:Services</c> object.</summary>
internal static class DemoService
{
    /// <summary>A readiness probe on the demo backend's <c>/readyz</c>, every second.</summary>
    public const string Readiness = """ "readinessProbe": { "httpGet": { "path": "/readyz", "port": "http" }, "periodSeconds": 1 } """;

    /// <summary>A liveness probe on <c>/healthz</c> that fails at the first failure, after <paramref name="initialDelaySeconds"/>.</summary>
    public static string Liveness(int initialDelaySeconds) =>
        $$""" "livenessProbe": { "httpGet": { "path": "/healthz", "port": "http" }, "initialDelaySeconds": {{initialDelaySeconds}}, "periodSeconds": 1, "failureThreshold": 1 } """;

    /// <summary><c>"name": { ... }</c>: <paramref name="replicas"/> pods of one demo-backend container named <c>web</c>, port <c>http</c>.</summary>
    /// <param name="probes">Members of the container, e.g. <see cref="Readiness"/>; empty for none.</param>
    /// <param name="extraPorts">More entries of <c>ports</c>, each starting with a comma.</param>
    /// <param name="path">The service's route path; null for the default catch-all, which only one service of a file may have.</param>
    public static string Member(string name, int replicas = 1, string args = "", string probes = Readiness, string restartPolicy = "Always",
        int gracePeriodSeconds = 5, string extraPorts = "", string? path = null) => $$"""
        "{{name}}": {{{(path is null ? "" : $" \"Route\": {{ \"Path\": \"{path}\" }},")}}
          "Replicas": {{replicas}},
          "Template": { "spec": {
            "restartPolicy": "{{restartPolicy}}",
            "terminationGracePeriodSeconds": {{gracePeriodSeconds}},
            "containers": [ {
              "name": "web",
              "command": [ "dotnet", {{GatewayProcess.DemoDll}} ],
              "args": [ {{args}} ],
              "ports": [ { "name": "http", "containerPort": 8080 }{{extraPorts}} ]{{(probes.Length > 0 ? "," + probes : "")}}
            } ] } } }
        """;

    /// <summary>A <c>Gateway:Services</c> object of these members.</summary>
    public static string Services(params string[] members) => "{ " + string.Join(", ", members) + " }";
}
