using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Routing;

/// <summary>
/// The one HTTPRoute transform YARP has no configuration for: <c>URLRewrite</c> with
/// <c>ReplacePrefixMatch</c>, which replaces the matched prefix by path elements (YARP's
/// <c>PathPattern</c> would leave a trailing '/' where the request had none).
/// </summary>
internal sealed class HttpRouteTransforms : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Route is null || CompiledRoute.Of(context.Route)?.PrefixRewrite is not { } rewrite)
        {
            return;
        }

        context.AddRequestTransform(transform =>
        {
            var path = transform.Path.Value ?? "/";
            transform.Path = CompiledRoute.ReplacePrefix(path, rewrite.Prefix, rewrite.Replacement);
            return ValueTask.CompletedTask;
        });
    }
}
