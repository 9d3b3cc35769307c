using System.Net;
using System.Net.Sockets;
using Gateway.Runtimes;
using k8s.Models;

namespace Gateway.IntegrationTests.Infrastructure;

/// <summary>
/// A test's own request straight to a Process pod, past the gateway: on its host port in host mode,
/// and in Pod mode (no host port) through the pod's network namespace, entered as the gateway does
/// (a socket made in <c>/proc/PID/ns/net</c> of its first container).
/// </summary>
internal static class PodHttp
{
    public static async Task<HttpResponseMessage> PostAsync(V1Pod pod, string path)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var port = pod.Spec.Containers[0].Ports[0];
        if (port.HostPort is int hostPort)
        {
            using var direct = new HttpClient();
            return await direct.PostAsync($"http://127.0.0.1:{hostPort}{path}", null);
        }

        using var inPod = PodNetworkNamespace.Open($"/proc/{GatewayProcess.ProcessIdOf(pod.Status.ContainerStatuses[0])}/ns/net");
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = await inPod.CreateSocketAsync(AddressFamily.InterNetwork);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler);
        return await client.PostAsync($"http://{pod.Status.PodIP}:{port.ContainerPort}{path}", null);
    }
}
