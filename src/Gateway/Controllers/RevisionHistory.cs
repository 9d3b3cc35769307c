using System.Collections.Immutable;

namespace Gateway.Controllers;

/// <summary>One template revision of a service: a ReplicaSet and its <c>deployment.kubernetes.io/revision</c>.</summary>
public sealed record Revision(long Number, PodTemplate Template, DateTimeOffset Created);

/// <summary>
/// The templates a service has run, as the deployment controller keeps them in ReplicaSets: a new
/// template is a new revision; a template seen before (a rollback) takes the next number again, as
/// the ReplicaSet it already has does; the newest <c>revisionHistoryLimit</c> old ones stay, to
/// roll back to.
/// </summary>
public sealed record RevisionHistory(ImmutableList<Revision> Revisions)
{
    /// <summary>The Deployment's default <c>revisionHistoryLimit</c>.</summary>
    public const int DefaultLimit = 10;

    public static readonly RevisionHistory Empty = new(ImmutableList<Revision>.Empty);

    /// <summary>The revision in force: the newest.</summary>
    public Revision? Current => Revisions.Count == 0 ? null : Revisions.MaxBy(r => r.Number);

    public Revision? Find(long number) => Revisions.FirstOrDefault(r => r.Number == number);

    /// <summary>The revision before the current one: what <c>rollout undo</c> goes back to.</summary>
    public Revision? Previous => Revisions.Where(r => r.Number != Current?.Number).MaxBy(r => r.Number);

    public Revision? FindByHash(string hash) => Revisions.FirstOrDefault(r => r.Template.Hash == hash);

    /// <summary>The history once <paramref name="template"/> is the one in force.</summary>
    public RevisionHistory Observe(PodTemplate template, DateTimeOffset now, int limit = DefaultLimit)
    {
        ArgumentNullException.ThrowIfNull(template);
        var current = Current;
        if (current is not null && current.Template.Hash == template.Hash)
        {
            return this;
        }

        var next = (current?.Number ?? 0) + 1;
        var created = FindByHash(template.Hash)?.Created ?? now;
        var revisions = Revisions.RemoveAll(r => r.Template.Hash == template.Hash).Add(new Revision(next, template, created));
        var old = revisions.Where(r => r.Number != next).OrderByDescending(r => r.Number).Skip(Math.Max(0, limit)).ToList();
        return new RevisionHistory(revisions.RemoveAll(old.Contains));
    }
}
