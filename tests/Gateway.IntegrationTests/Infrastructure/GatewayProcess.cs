using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// The real gateway executable, started with a settings file written for the test, on free
/// loopback ports, with its own state folder (<c>state</c> beside the settings file, so its admin
/// token is its own). Disposing stops it with SIGTERM (SIGKILL if it does not exit in time).
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private GatewayProcess(Process process, StringBuilder output, string settingsPath, int proxyPort, int adminPort, string adminScheme)
    {
        _process = process;
        _output = output;
        SettingsPath = settingsPath;
        ProxyPort = proxyPort;
        AdminPort = adminPort;
        Proxy = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxyPort}"), Timeout = TimeSpan.FromSeconds(30) };
        AdminUrl = new Uri($"{adminScheme}://127.0.0.1:{adminPort}");
        Admin = new HttpClient(new TokenForWrites(() => Token, AdminHandler())) { BaseAddress = AdminUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The demo backend's path as a JSON string literal, for settings written by tests.</summary>
    public static string DemoDll => JsonSerializer.Serialize(RepoPaths.DemoBackendDll);

    public static string GatewayDll { get; } = Path.Combine(RepoPaths.Root, "src", "Gateway", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "Gateway.dll");

    public string SettingsPath { get; }

    public int ProxyPort { get; }

    public int AdminPort { get; }

    public HttpClient Proxy { get; }

    /// <summary>The admin API's address for clients: 127.0.0.1 and its port, http or https.</summary>
    public Uri AdminUrl { get; }

    /// <summary>The admin API on 127.0.0.1, sending the token with writes only: reads go without, as a loopback listener allows.</summary>
    public HttpClient Admin { get; }

    /// <summary>The kubeconfig the gateway wrote for its admin API (the default place, beside the settings file).</summary>
    public string Kubeconfig => Path.Combine(Path.GetDirectoryName(SettingsPath)!, "gateway.kubeconfig");

    /// <summary>The admin token, as the gateway put it in its kubeconfig.</summary>
    public string Token => KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig).AccessToken;

    /// <summary>A new client for the admin API that sends the token with every request.</summary>
    public HttpClient AdminWithToken()
    {
        var client = new HttpClient(AdminHandler()) { BaseAddress = AdminUrl, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Writes <c>{"Gateway": {"Services": services}}</c> with free ports and starts the gateway; waits for /readyz.</summary>
    /// <param name="servicesJson">The <c>Gateway:Services</c> object.</param>
    /// <param name="settingsDirectory">Where the settings file goes (beside a test's manifests); a new folder when null.</param>
    /// <param name="gatewayJson">More members of the <c>Gateway</c> object, e.g. <c>"Docker": { ... }</c>.</param>
    /// <param name="extraArgs">More command-line arguments for the gateway.</param>
    /// <param name="adminHost">The admin listener's address: <c>0.0.0.0</c> binds every interface (tests still connect to 127.0.0.1).</param>
    /// <param name="adminScheme"><c>https</c> for an admin listener with the gateway's own certificate.</param>
    /// <param name="loggingSection">false: a settings file with no <c>Logging</c> section, as a user's own often is.</param>
    public static async Task<GatewayProcess> StartAsync(string servicesJson, string? settingsDirectory = null, string? gatewayJson = null, IEnumerable<string>? extraArgs = null,
        string adminHost = "127.0.0.1", string adminScheme = "http", bool loggingSection = true, string? workingDirectory = null, string? proxyTls = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var (proxyPort, adminPort) = (FreePort.Get(), FreePort.Get());
        var directory = settingsDirectory ?? Directory.CreateTempSubdirectory("gateway-it-").FullName;
        var settingsPath = Path.Combine(directory, "appsettings.json");
        await File.WriteAllTextAsync(settingsPath, Settings(servicesJson, proxyPort, adminPort, gatewayJson, adminHost, adminScheme, loggingSection, proxyTls));
        var output = new StringBuilder();
        var process = Launch(["--config", settingsPath, .. extraArgs ?? []], output, workingDirectory, environment);
        var gateway = new GatewayProcess(process, output, settingsPath, proxyPort, adminPort, adminScheme);
        try
        {
            await Poll.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    Assert.Fail($"The gateway exited with {process.ExitCode}:\n{gateway.Output}");
                }

                try
                {
                    return (await gateway.Admin.GetAsync("/readyz")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the gateway's /readyz", TimeSpan.FromSeconds(30));
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    /// <summary>A settings file; its state folder is <c>state</c> beside it (the loader resolves the path against the file's folder).</summary>
    /// <param name="proxyTls">More members of <c>Gateway:Proxy</c> (its certificates); the proxy URL is then https.</param>
    public static string Settings(string servicesJson, int proxyPort, int adminPort, string? gatewayJson = null, string adminHost = "127.0.0.1", string adminScheme = "http",
        bool loggingSection = true, string? proxyTls = null) => $$"""
        {
          {{(loggingSection ? "\"Logging\": { \"LogLevel\": { \"Default\": \"Information\", \"Microsoft\": \"Warning\", \"Yarp\": \"Warning\" } }," : "")}}
          "Gateway": {{{(gatewayJson is null ? "" : gatewayJson + ",")}}{{PodNetworkDefault(gatewayJson)}}
            "StateDirectory": "state",
            "Proxy": { "Urls": "{{(proxyTls is null ? "http" : "https")}}://127.0.0.1:{{proxyPort}}"{{(proxyTls is null ? "" : ", " + proxyTls)}} },
            "Admin": { "Urls": "{{adminScheme}}://{{adminHost}}:{{adminPort}}" },
            "Services": {{servicesJson}}
          }
        }
        """;

    /// <summary>
    /// Tests run with <c>Gateway:PodNetwork: Host</c> (they reach pods on their host ports) unless
    /// they set it, or <c>GATEWAY_IT_POD_NETWORK</c> names another mode for the run (e.g. <c>Pod</c>,
    /// to run the zero-drop tests with a network namespace per pod).
    /// </summary>
    private static string PodNetworkDefault(string? gatewayJson) =>
        gatewayJson?.Contains("\"PodNetwork\"", StringComparison.Ordinal) == true ? ""
        : $"\"PodNetwork\": \"{(Environment.GetEnvironmentVariable("GATEWAY_IT_POD_NETWORK") is { Length: > 0 } mode ? mode : "Host")}\",";

    /// <summary>Runs the gateway with these arguments until it exits by itself (e.g. on a bad configuration).</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] args)
    {
        var output = new StringBuilder();
        using var process = Launch(args, output);
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>Starts the gateway executable with <paramref name="args"/>, its stdout and stderr appended to <paramref name="output"/>.</summary>
    internal static Process Launch(IEnumerable<string> args, StringBuilder output, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(GatewayDll);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        void Append(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public async Task<V1PodList> GetPodsAsync() =>
        KubernetesJson.Deserialize<V1PodList>(await Admin.GetStringAsync("/api/v1/namespaces/default/pods"));

    public async Task<V1Pod?> GetPodAsync(string name)
    {
        var response = await Admin.GetAsync($"/api/v1/namespaces/default/pods/{name}");
        return response.IsSuccessStatusCode ? KubernetesJson.Deserialize<V1Pod>(await response.Content.ReadAsStringAsync()) : null;
    }

    public async Task<IList<Corev1Event>> GetEventsAsync() =>
        KubernetesJson.Deserialize<Corev1EventList>(await Admin.GetStringAsync("/api/v1/namespaces/default/events")).Items;

    /// <summary>Waits until the pods satisfy <paramref name="condition"/>; returns them.</summary>
    public async Task<IList<V1Pod>> WaitForPodsAsync(Func<IList<V1Pod>, bool> condition, string what, TimeSpan? timeout = null)
    {
        IList<V1Pod> pods = [];
        await Poll.UntilAsync(async () => condition(pods = (await GetPodsAsync()).Items), what + "\n" + Output, timeout ?? TimeSpan.FromSeconds(30));
        return pods;
    }

    /// <summary>The host process id of a container's current instance, from its containerID.</summary>
    public static int ProcessIdOf(V1ContainerStatus status)
    {
        var id = status.ContainerID ?? throw new InvalidOperationException($"container {status.Name} runs no instance");
        return int.Parse(id["process://".Length..].Split('-')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Sends <paramref name="signal"/> to the gateway and waits for it to exit.</summary>
    public async Task<int> StopAsync(string signal = "TERM", TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            Signal(_process.Id, signal);
            await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(45));
        }

        return _process.ExitCode;
    }

    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public static bool IsAlive(int pid)
    {
        // A zombie (exited, not yet reaped) counts as gone.
        var stat = $"/proc/{pid}/stat";
        return File.Exists(stat) && !File.ReadAllText(stat).Split(')').Last().TrimStart().StartsWith('Z');
    }

    /// <summary>A handler for the admin API that trusts, over https, exactly the certificate the gateway made in its state folder (as its kubeconfig does).</summary>
    public SocketsHttpHandler AdminHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null
                && certificate.GetCertHashString() == X509Certificate2.CreateFromPemFile(Path.Combine(Path.GetDirectoryName(SettingsPath)!, "state", "admin-tls.pem")).GetCertHashString(),
        },
    };

    /// <summary>Adds the admin token to every request but GET and HEAD.</summary>
    private sealed class TokenForWrites(Func<string> token, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head && request.Headers.Authorization is null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token());
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }

        Proxy.Dispose();
        Admin.Dispose();
        _process.Dispose();
    }
}
