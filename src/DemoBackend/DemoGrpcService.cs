using DemoBackend.Grpc;
using Grpc.Core;

namespace DemoBackend;

/// <summary><c>demo.Demo</c> on the gRPC port: a unary and a server-streaming call for gateways to carry.</summary>
internal sealed class DemoGrpcService(BackendOptions options, TimeProvider time) : Demo.DemoBase
{
    /// <summary>The most replies one <c>Count</c> sends, and the longest pause between them.</summary>
    private const int MaxCount = 10_000;
    private const int MaxIntervalMs = 60_000;

    public override Task<HelloReply> Hello(HelloRequest request, ServerCallContext context) =>
        Task.FromResult(new HelloReply { Message = $"hello {request.Name}", Pod = options.PodName });

    public override async Task Count(CountRequest request, IServerStreamWriter<CountReply> responseStream, ServerCallContext context)
    {
        if (request.To is < 0 or > MaxCount || request.IntervalMs is < 0 or > MaxIntervalMs)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"to must be 0-{MaxCount} and interval_ms 0-{MaxIntervalMs}"));
        }

        for (var n = 1; n <= request.To; n++)
        {
            if (n > 1 && request.IntervalMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(request.IntervalMs), time, context.CancellationToken);
            }

            await responseStream.WriteAsync(new CountReply { N = n, Pod = options.PodName }, context.CancellationToken);
        }
    }
}
