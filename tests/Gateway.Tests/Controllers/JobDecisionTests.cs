using Gateway.Controllers;
using Gateway.Pods;
using Gateway.Specs;
using static Gateway.Tests.Pods.PodStates;

namespace Gateway.Tests.Controllers;

public sealed class JobDecisionTests
{
    /// <summary>
    /// Pods written <c>name:state[:restarts]</c>: <c>R</c> running, <c>P</c> pending, <c>S</c> succeeded,
    /// <c>F</c> failed; a name starting with <c>o</c> has an older template.
    /// </summary>
    [Theory]
    [InlineData(6, "", 1, "", 0, 0, 0, null)]
    [InlineData(6, "a:R", 0, "", 1, 0, 0, null)]
    [InlineData(6, "a:S", 0, "", 0, 1, 0, "Complete")] // never recreated after Succeeded
    [InlineData(6, "a:F b:S", 0, "", 0, 1, 1, "Complete")]
    [InlineData(2, "a:F", 1, "", 0, 0, 1, null)] // failed: replaced until the limit
    [InlineData(2, "a:F b:F", 1, "", 0, 0, 2, null)]
    [InlineData(2, "a:F b:F c:F", 0, "", 0, 0, 3, "Failed")]
    [InlineData(0, "a:F", 0, "", 0, 0, 1, "Failed")]
    [InlineData(2, "a:R:3", 0, "a", 1, 0, 0, "Failed")] // OnFailure restarts count: the running pod is deleted
    [InlineData(2, "a:F b:R:1", 0, "", 1, 0, 1, null)]
    [InlineData(6, "old:S", 1, "old", 0, 0, 0, null)] // a changed template runs the Job again
    public void Decide_OnePodToCompletion(int backoffLimit, string pods, int expectedCreate, string expectedDelete, int active, int succeeded, int failed, string? condition)
    {
        var (create, delete, status) = JobDecision.Decide(new JobSpec(backoffLimit), Pods(pods), "new");

        Assert.Equal(expectedCreate, create);
        Assert.Equal(expectedDelete.Split(' ', StringSplitOptions.RemoveEmptyEntries), delete);
        Assert.Equal((active, succeeded, failed, condition), (status.Active, status.Succeeded, status.Failed, status.Condition));
        Assert.Equal(condition == "Failed" ? JobStatus.BackoffLimitExceeded : null, status.Reason);
    }

    [Fact]
    public void Decide_Complete_HasStartAndCompletionTimes()
    {
        var (_, _, status) = JobDecision.Decide(new JobSpec(), Pods("a:S"), "new");

        Assert.Equal(T0, status.StartTime);
        Assert.Equal(T0.AddSeconds(5), status.CompletionTime);
    }

    private static List<PodState> Pods(string pods) =>
        [.. pods.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Pod)];

    private static PodState Pod(string description)
    {
        var parts = description.Split(':');
        var restarts = parts.Length > 2 ? int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
        var ended = new Termination(parts[1] == "S" ? 0 : 1, parts[1] == "S" ? "Completed" : "Error", null, T0, T0.AddSeconds(5), "i1");
        var (phase, container) = parts[1] switch
        {
            "R" => (PodPhase.Running, new ContainerStatus { Name = "app", State = ContainerRunState.Running, InstanceId = "i1", InstancesStarted = 1 + restarts }),
            "P" => (PodPhase.Pending, new ContainerStatus { Name = "app" }),
            "S" or "F" => (parts[1] == "S" ? PodPhase.Succeeded : PodPhase.Failed, new ContainerStatus { Name = "app", State = ContainerRunState.Terminated, Terminated = ended, InstancesStarted = 1 }),
            _ => throw new ArgumentException($"unknown pod state {parts[1]}", nameof(description)),
        };

        return Single("Never") with
        {
            Name = parts[0],
            CreatedAt = T0,
            StartTime = T0,
            Phase = phase,
            Containers = [container],
            TemplateHash = parts[0].StartsWith('o') ? "old" : "new",
        };
    }
}
