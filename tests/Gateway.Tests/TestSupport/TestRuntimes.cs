using Gateway.Runtimes;
using Gateway.Specs;

namespace Gateway.Tests.TestSupport;

internal static class TestRuntimes
{
    /// <summary>One (fake) runtime for every runtime kind.</summary>
    public static ContainerRuntimes Everywhere(IContainerRuntime runtime) =>
        new(Enum.GetValues<RuntimeKind>().ToDictionary(kind => kind, _ => runtime));
}
