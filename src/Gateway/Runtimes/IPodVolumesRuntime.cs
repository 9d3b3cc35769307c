namespace Gateway.Runtimes;

/// <summary>A runtime that keeps volumes per pod on the host (<see cref="PodVolumes"/>): told when a pod is gone, it removes them.</summary>
public interface IPodVolumesRuntime
{
    /// <summary>The pod has ended and its containers are gone: its emptyDir and projected volumes go too.</summary>
    void RemovePodVolumes(string podUid);
}
