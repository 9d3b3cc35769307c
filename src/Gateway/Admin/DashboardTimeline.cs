using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Events;
using Gateway.Pods;

namespace Gateway.Admin;

/// <summary>What a pod was doing from a moment on, as its timeline strip colours it.</summary>
internal enum PodStage
{
    /// <summary>Created, no container running yet (scheduling, init containers, image pull, back-off before the first start).</summary>
    Pending,

    /// <summary>A container runs but the pod is not ready: starting, or unready after having been ready.</summary>
    Running,

    Ready,

    /// <summary>Deleted: draining and stopping.</summary>
    Terminating,

    /// <summary>Its containers ended (Succeeded or Failed), or it is gone.</summary>
    Terminated,
}

/// <summary>A change in a pod's life: a new stage, or a restart (<paramref name="Restart"/>, the stage unchanged).</summary>
internal readonly record struct PodMark(DateTimeOffset At, PodStage Stage, bool Restart = false);

/// <summary>A stretch of one stage on a strip, clipped to the window.</summary>
internal readonly record struct StripSegment(DateTimeOffset From, DateTimeOffset To, PodStage Stage);

/// <summary>
/// Each pod's timeline for the status page: the stages it went through (created, started, ready,
/// unready, terminating, terminated) and its restarts, taken from the registry's changes as they
/// happen and, for pods that were there before it started listening, from the pod's own state
/// (created at, started at, the Ready condition's last transition). Bounded: <see cref="MarksPerPod"/>
/// marks a pod, and a removed pod is kept for <see cref="Window"/> only (at most
/// <see cref="RemovedKept"/> of them), so that a rollout's old pods still show their end.
/// </summary>
internal sealed class DashboardTimeline
{
    public const int MarksPerPod = 64;
    public const int RemovedKept = 50;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(Telemetry.RequestHistory.Slots * Telemetry.RequestHistory.SlotSeconds);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Track> _pods = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public DashboardTimeline(PodRegistry registry, TimeProvider time)
    {
        _time = time;
        registry.Changed += Observe;
        foreach (var pod in registry.Pods.Values)
        {
            lock (_lock)
            {
                _pods.TryAdd(pod.Name, new Track(pod.ServiceName, Seed(pod, time.GetUtcNow()), null));
            }
        }
    }

    /// <summary>A pod's marks and, once gone, when it was removed.</summary>
    public sealed record Track(string Service, ImmutableArray<PodMark> Marks, DateTimeOffset? RemovedAt);

    /// <summary>Every pod kept, live or recently removed, by name.</summary>
    public IReadOnlyDictionary<string, Track> Pods
    {
        get
        {
            lock (_lock)
            {
                Prune(_time.GetUtcNow());
                return _pods.ToDictionary(StringComparer.Ordinal);
            }
        }
    }

    /// <summary>A pod's stage in its state.</summary>
    public static PodStage StageOf(PodState pod) =>
        pod.IsTerminal ? PodStage.Terminated
        : pod.IsDeleting ? PodStage.Terminating
        : pod.Ready ? PodStage.Ready
        : pod.Containers.Any(c => c.State == ContainerRunState.Running) ? PodStage.Running
        : PodStage.Pending;

    /// <summary>The marks one registry change makes: a stage change, a restart (the restart count went up), the pod's creation or its removal.</summary>
    public static IEnumerable<PodMark> Marks(PodState? before, PodState? after, DateTimeOffset now)
    {
        if (after is null)
        {
            if (before is not null && StageOf(before) != PodStage.Terminated)
            {
                yield return new PodMark(now, PodStage.Terminated);
            }

            yield break;
        }

        if (before is null)
        {
            yield return new PodMark(after.CreatedAt, PodStage.Pending);
        }

        var stage = StageOf(after);
        if (before is not null && Restarts(after) > Restarts(before))
        {
            yield return new PodMark(now, stage, Restart: true);
        }

        if (before is null ? stage != PodStage.Pending : StageOf(before) != stage)
        {
            yield return new PodMark(now, stage);
        }
    }

    /// <summary>The marks of a pod found already there: its creation, its start and its last Ready transition, as its state has them.</summary>
    public static ImmutableArray<PodMark> Seed(PodState pod, DateTimeOffset now)
    {
        var marks = ImmutableArray.CreateBuilder<PodMark>();
        marks.Add(new PodMark(pod.CreatedAt, PodStage.Pending));
        var stage = StageOf(pod);
        if (pod.StartTime is { } started && stage != PodStage.Pending)
        {
            marks.Add(new PodMark(Max(started, pod.CreatedAt), PodStage.Running));
        }

        if (stage == PodStage.Ready && pod.ConditionTransitions.TryGetValue("Ready", out var ready) && ready.Status)
        {
            marks.Add(new PodMark(Max(ready.At, marks[^1].At), PodStage.Ready));
        }
        else if (stage is not (PodStage.Pending or PodStage.Running))
        {
            marks.Add(new PodMark(Max(pod.DeletionTimestamp ?? pod.FinishedAt ?? now, marks[^1].At), stage));
        }

        return marks.ToImmutable();
    }

    /// <summary>
    /// The strip of <paramref name="marks"/> (in time order) between <paramref name="from"/> and
    /// <paramref name="to"/>: each stage from its mark to the next one (the last one to
    /// <paramref name="to"/>, or to <paramref name="removedAt"/>: the strip ends where the pod went),
    /// clipped to the window; nothing before the first mark. Restarts do not cut a stage.
    /// </summary>
    public static IReadOnlyList<StripSegment> Segments(IReadOnlyList<PodMark> marks, DateTimeOffset from, DateTimeOffset to, DateTimeOffset? removedAt = null)
    {
        var stages = marks.Where(m => !m.Restart).ToList();
        var segments = new List<StripSegment>();
        for (var i = 0; i < stages.Count; i++)
        {
            var start = stages[i].At;
            var end = i + 1 < stages.Count ? stages[i + 1].At : removedAt ?? to;
            var clippedStart = Max(start, from);
            var clippedEnd = end < to ? end : to;
            if (clippedEnd <= clippedStart)
            {
                continue;
            }

            if (segments.Count > 0 && segments[^1].Stage == stages[i].Stage && segments[^1].To == clippedStart)
            {
                segments[^1] = segments[^1] with { To = clippedEnd };
            }
            else
            {
                segments.Add(new StripSegment(clippedStart, clippedEnd, stages[i].Stage));
            }
        }

        return segments;
    }

    /// <summary>
    /// A pod's strip as inline SVG, <paramref name="width"/> wide for the window: a rectangle a stage,
    /// a red tick a restart, an orange one a warning event of the pod (its last occurrence), each
    /// with a tooltip. The pod's name and the events' text are escaped.
    /// </summary>
    public static string Svg(string pod, Track track, IReadOnlyList<GatewayEvent> warnings, DateTimeOffset now, int width = 600)
    {
        const int height = 14;
        var from = now - Window;
        double X(DateTimeOffset at) => Math.Clamp((at - from) / Window, 0, 1) * width;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"strip\" data-pod=\"{E(pod)}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{E(pod)} over the last {Window.TotalMinutes:0} min\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#f6f8fa\"/>");
        foreach (var s in Segments(track.Marks, from, now, track.RemovedAt))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"stage {s.Stage.ToString().ToLowerInvariant()}\" x=\"{DashboardCharts.Number(X(s.From))}\" y=\"2\" width=\"{DashboardCharts.Number(Math.Max(1, X(s.To) - X(s.From)))}\" height=\"{height - 4}\" fill=\"{Colour(s.Stage)}\">"
                + $"<title>{E(StageName(s.Stage))} from {Clock(s.From)}</title></rect>");
        }

        foreach (var restart in track.Marks.Where(m => m.Restart && m.At >= from))
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"restart\" x=\"{DashboardCharts.Number(Math.Min(width - 2, X(restart.At)))}\" y=\"0\" width=\"2\" height=\"{height}\" fill=\"#c62828\"><title>restarted at {Clock(restart.At)}</title></rect>");
        }

        foreach (var e in warnings.Where(e => e.LastTimestamp >= from))
        {
            var count = e.Count > 1 ? $" (x{e.Count})" : "";
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"warning\" x=\"{DashboardCharts.Number(Math.Min(width - 2, X(e.LastTimestamp)))}\" y=\"0\" width=\"2\" height=\"5\" fill=\"#ef6c00\"><title>{E($"{e.Reason}{count} at {Clock(e.LastTimestamp)}: {e.Message}")}</title></rect>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>The legend: a swatch a stage, and the two ticks.</summary>
    public static string Legend() =>
        string.Join(" ", Enum.GetValues<PodStage>().Select(s => $"<span class=\"swatch\" style=\"background:{Colour(s)}\"></span>{StageName(s)}"))
        + " <span class=\"swatch\" style=\"background:#c62828;width:3px\"></span>restart <span class=\"swatch\" style=\"background:#ef6c00;width:3px\"></span>warning event";

    public static string StageName(PodStage stage) => stage switch
    {
        PodStage.Pending => "pending",
        PodStage.Running => "started, not ready",
        PodStage.Ready => "ready",
        PodStage.Terminating => "terminating",
        _ => "terminated",
    };

    private static string Colour(PodStage stage) => stage switch
    {
        PodStage.Pending => "#b0bec5",
        PodStage.Running => "#ffb300",
        PodStage.Ready => "#2e7d32",
        PodStage.Terminating => "#7e57c2",
        _ => "#424242",
    };

    private static int Restarts(PodState pod) => pod.InitContainers.Concat(pod.Containers).Sum(c => c.RestartCount);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string Clock(DateTimeOffset at) => at.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private void Observe(PodState? before, PodState? after)
    {
        var name = (after ?? before)?.Name;
        if (name is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var marks = Marks(before, after, now).ToList();
        if (marks.Count == 0 && after is not null)
        {
            return; // most changes (a probe result, a port) change no stage
        }

        lock (_lock)
        {
            if (!_pods.TryGetValue(name, out var track))
            {
                track = new Track((after ?? before)!.ServiceName, [], null);
            }

            var all = track.Marks.AddRange(marks);
            if (all.Length > MarksPerPod)
            {
                all = all.RemoveRange(0, all.Length - MarksPerPod);
            }

            _pods[name] = track with { Marks = all, RemovedAt = after is null ? now : null };
            if (after is null)
            {
                Prune(now);
            }
        }
    }

    /// <summary>Drops removed pods older than the window, and the oldest beyond <see cref="RemovedKept"/>.</summary>
    private void Prune(DateTimeOffset now)
    {
        var removed = _pods.Where(p => p.Value.RemovedAt is not null).OrderByDescending(p => p.Value.RemovedAt).ToList();
        foreach (var (name, track) in removed.Skip(RemovedKept).Concat(removed.Take(RemovedKept).Where(p => p.Value.RemovedAt < now - Window)))
        {
            _pods.Remove(name);
        }
    }
}
