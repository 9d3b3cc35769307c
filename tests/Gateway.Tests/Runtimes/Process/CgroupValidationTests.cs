using Gateway.Specs;
using k8s.Models;

namespace Gateway.Tests.Runtimes.Process;

/// <summary>The Process runtime's resources rule: limits need cgroups the gateway can make, requests are hints.</summary>
public sealed class CgroupValidationTests
{
    private const string NoCgroups = "cgroup v1: cannot make a group in /sys/fs/cgroup/memory: Permission denied";

    [Fact]
    public void Limits_are_refused_by_name_where_the_gateway_cannot_make_cgroups()
    {
        var spec = new V1PodSpec
        {
            InitContainers = [Container("setup", limits: true)],
            Containers = [Container("web", limits: false), Container("worker", limits: true)],
        };
        var errors = new List<FieldError>();

        ContainerValidator.ValidateProcessResources(spec, "spec", NoCgroups, errors);

        Assert.Equal(
            [
                "spec.initContainers[0].resources.limits: Forbidden: the Process runtime enforces limits in a cgroup per container and needs cgroups the gateway can create "
                + $"(run as root, or delegate a cgroup v2 subtree; here: {NoCgroups}); remove the limits or use the Docker runtime",
                "spec.containers[1].resources.limits: Forbidden: the Process runtime enforces limits in a cgroup per container and needs cgroups the gateway can create "
                + $"(run as root, or delegate a cgroup v2 subtree; here: {NoCgroups}); remove the limits or use the Docker runtime",
            ],
            errors.ConvertAll(e => e.ToString()));
    }

    [Fact]
    public void Requests_alone_are_accepted_without_cgroups()
    {
        var errors = new List<FieldError>();
        ContainerValidator.ValidateProcessResources(new V1PodSpec { Containers = [Container("web", limits: false)] }, "spec", NoCgroups, errors);
        Assert.Empty(errors);
    }

    [Fact]
    public void Limits_are_accepted_where_the_gateway_can_make_cgroups()
    {
        var errors = new List<FieldError>();
        ContainerValidator.ValidateProcessResources(new V1PodSpec { Containers = [Container("web", limits: true)] }, "spec", hostProblem: null, errors);
        Assert.Empty(errors);
    }

    private static V1Container Container(string name, bool limits) => new()
    {
        Name = name,
        Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
            Limits = limits ? new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") } : null,
        },
    };
}
