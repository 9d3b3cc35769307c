using Gateway.Controllers;
using Gateway.Specs;

namespace Gateway.Tests.Controllers;

/// <summary>The pure decisions of <c>DependsOn</c>: the gate, the cycles, Propagate, and the shutdown order.</summary>
public sealed class DependencyTests
{
    /// <summary>State: <c>replicas/running/ready/succeeded</c>, or <c>-</c> for a service that does not exist.</summary>
    [Theory]
    [InlineData("Started", false, "1/0/0/0", false)]
    [InlineData("Started", false, "1/1/0/0", true)]
    [InlineData("Started", false, "1/0/0/1", true)] // a Job that completed has started
    [InlineData("Ready", false, "1/1/0/0", false)]
    [InlineData("Ready", false, "3/3/1/0", true)]
    [InlineData("Ready", true, "3/3/2/0", false)]
    [InlineData("Ready", true, "3/3/3/0", true)]
    [InlineData("Ready", true, "0/0/0/0", false)] // none to be ready: not ready
    [InlineData("Succeeded", false, "1/1/1/0", false)]
    [InlineData("Succeeded", false, "1/0/0/1", true)]
    [InlineData("Ready", false, "-", false)]
    public void Holds_ConditionOverTheDependencysState(string condition, bool all, string state, bool expected)
    {
        var dependency = new DependencySpec("db", Enum.Parse<DependencyCondition>(condition), all);

        Assert.Equal(expected, DependencyGate.Holds(dependency, State(state)));
    }

    [Fact]
    public void Waiting_ListsTheUnmetInOrder_AndTheMessageNamesThem()
    {
        DependencySpec[] dependsOn = [new("db", DependencyCondition.Ready), new("cache", DependencyCondition.Started), new("migrate", DependencyCondition.Succeeded)];
        var states = new Dictionary<string, DependencyState> { ["db"] = State("1/1/0/0")!, ["cache"] = State("1/1/0/0")!, ["migrate"] = State("1/1/0/0")! };

        var waiting = DependencyGate.Waiting(dependsOn, states);

        Assert.Equal(["db", "migrate"], waiting.Select(w => w.Service));
        Assert.Equal("waiting for db to be Ready, migrate to have Succeeded", DependencyGate.Message(waiting));
        states["db"] = State("1/1/1/0")!;
        states["migrate"] = State("1/0/0/1")!;
        Assert.Empty(DependencyGate.Waiting(dependsOn, states));
    }

    /// <summary>Edges written <c>a>b</c> (a depends on b); each cycle as its path from its smallest name.</summary>
    [Theory]
    [InlineData("web>db", "")]
    [InlineData("web>api api>web", "api -> web -> api")]
    [InlineData("web>api api>db db>web", "api -> db -> web -> api")]
    [InlineData("a>b b>c c>b d>d", "b -> c -> b|d -> d")]
    [InlineData("web>db web>cache cache>db", "")]
    [InlineData("web>missing", "")]
    public void Cycles_FoundOnceEach_AsTheirPath(string edges, string expected)
    {
        var cycles = DependencyGraph.Cycles(Graph(edges));

        Assert.Equal(expected, string.Join('|', cycles.Select(c => string.Join(" -> ", c))));
    }

    /// <summary>Waves are written <c>a,b|c</c>: the first wave stops before the next starts stopping.</summary>
    [Theory]
    [InlineData("web>db", "web|db")]
    [InlineData("web>db api>db", "api,web|db")]
    [InlineData("web>api api>db web>db", "web|api|db")]
    [InlineData("web>migrate web>db migrate>db lone", "lone,web|migrate|db")]
    [InlineData("a b", "a,b")]
    [InlineData("a>b b>a c", "c|a,b")] // a cycle (refused by validation) cannot hang it
    public void ShutdownWaves_DependentsFirst_TiesTogether(string edges, string expected)
    {
        var waves = DependencyGraph.ShutdownWaves(Graph(edges));

        Assert.Equal(expected, string.Join('|', waves.Select(w => string.Join(',', w))));
    }

    [Theory]
    [InlineData(DependencyPropagation.None, true, false, PropagationAction.None, false)]
    [InlineData(DependencyPropagation.None, false, false, PropagationAction.None, false)]
    [InlineData(DependencyPropagation.Readiness, false, false, PropagationAction.GateFalse, true)]
    [InlineData(DependencyPropagation.Readiness, true, true, PropagationAction.GateTrue, false)]
    [InlineData(DependencyPropagation.Readiness, true, false, PropagationAction.GateTrue, false)]
    [InlineData(DependencyPropagation.Restart, false, false, PropagationAction.None, true)] // down: wait for it to come back
    [InlineData(DependencyPropagation.Restart, false, true, PropagationAction.None, true)]
    [InlineData(DependencyPropagation.Restart, true, true, PropagationAction.Restart, false)] // back: restart once
    [InlineData(DependencyPropagation.Restart, true, false, PropagationAction.None, false)]
    public void Propagate_ActsByMode(DependencyPropagation mode, bool holds, bool wentDown, PropagationAction expected, bool expectedWentDown) =>
        Assert.Equal((expected, expectedWentDown), DependencyPropagationDecision.Decide(mode, holds, wentDown));

    private static DependencyState? State(string text)
    {
        if (text == "-")
        {
            return null;
        }

        var n = text.Split('/').Select(int.Parse).ToArray();
        return new DependencyState(n[0], n[1], n[2], n[3] == 1);
    }

    private static Dictionary<string, IReadOnlyList<string>> Graph(string edges)
    {
        var graph = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var edge in edges.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = edge.Split('>');
            graph[parts[0]] = parts.Length > 1 ? [.. graph.GetValueOrDefault(parts[0]) ?? [], parts[1]] : graph.GetValueOrDefault(parts[0]) ?? [];
            if (parts.Length > 1 && !edges.Contains($"{parts[1]}>", StringComparison.Ordinal) && parts[1] != "missing")
            {
                graph.TryAdd(parts[1], []);
            }
        }

        return graph;
    }
}
