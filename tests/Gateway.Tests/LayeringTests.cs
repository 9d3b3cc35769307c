using System.Reflection;
using NetArchTest.Rules;

namespace Gateway.Tests;

/// <summary>
/// The folders of src/Gateway are layers with arrows pointing one way: a folder uses only folders
/// before it in <see cref="Layers"/>, and one after it learns of changes through events it subscribes
/// to (wired in Program.cs, the composition root, which is outside every layer). Read from the
/// compiled types, so a fully qualified name or a <c>using static</c> counts as much as a <c>using</c>.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Bottom first. Events and Specs are words every layer uses; Hosting runs the rest.</summary>
    public static readonly string[] Layers =
        ["Events", "Specs", "Compose", "Runtimes", "Probes", "Pods", "Controllers", "Routing", "Kubernetes", "Static", "Telemetry", "Admin", "Hosting"];

    private static readonly Assembly Gateway = typeof(global::Gateway.Specs.GatewaySpec).Assembly;

    public static TheoryData<string> LayerNames() => [.. Layers];

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void Layer_UsesNoLayerAboveIt(string layer)
    {
        var above = Layers.SkipWhile(l => l != layer).Skip(1).Select(l => $"Gateway.{l}").ToArray();
        if (above.Length == 0)
        {
            return; // the top layer may use every other one
        }

        var result = Types.InAssembly(Gateway).That().ResideInNamespace($"Gateway.{layer}").ShouldNot().HaveDependencyOnAny(above).GetResult();

        Assert.True(result.IsSuccessful,
            $"Gateway.{layer} must not use a layer above it ({string.Join(", ", above)}), but these types do: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void EveryNamespaceOfTheGateway_IsInALayer()
    {
        var namespaces = Gateway.GetTypes().Select(t => t.Namespace).OfType<string>()
            .Where(n => n.StartsWith("Gateway.", StringComparison.Ordinal)).Select(n => n.Split('.')[1]).Distinct();

        Assert.Empty(namespaces.Except(Layers));
    }

    [Fact]
    public void Layer_WithABackwardArrow_IsCaught()
    {
        // The rule can fail: Admin uses Controllers, so Controllers' turn to look up must see it.
        var result = Types.InAssembly(Gateway).That().ResideInNamespace("Gateway.Admin").ShouldNot().HaveDependencyOnAny("Gateway.Controllers").GetResult();

        Assert.False(result.IsSuccessful);
    }
}
