using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Gateway.Admin;

/// <summary>
/// A list or watch of one resource from its <see cref="WatchCache{T}"/>, as the API server answers
/// one: the request's selectors applied, a Table when kubectl asks for one, and the version to watch from.
/// </summary>
internal sealed record ResourceList<T>(
    string Kind,
    IReadOnlySet<string> Fields,
    Func<T, string, string?> Field,
    Func<IEnumerable<T>, IEnumerable<T>> Order,
    Func<IEnumerable<T>, DateTimeOffset, JsonObject> Table,
    Func<List<T>, V1ListMeta, object> List)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public IResult Answer(WatchCache<T> cache, string? ns, HttpRequest request, TimeProvider time)
    {
        if (ListRequest.Parse(request, Fields, out var error) is not { } options)
        {
            return KubernetesStatus.Result(400, "BadRequest", error!);
        }

        bool Selected(T o) => (ns is null || o.Metadata.NamespaceProperty == ns) && options.Labels.Matches(o.Metadata.Labels?.AsReadOnly()) && options.Fields.Matches(f => Field(o, f));
        if (options.Watch)
        {
            return new WatchResult<T>(cache, options, Selected, options.Table ? (o, now) => Table([o], now) : (o, _) => JsonNode.Parse(KubernetesJson.Serialize(o))!, Kind, time);
        }

        var snapshot = cache.Current;
        List<T> items = [.. Order(snapshot.Items.Values.Where(Selected))];
        var version = snapshot.Version.ToString(CultureInfo.InvariantCulture);
        if (!options.Table)
        {
            return Results.Text(KubernetesJson.Serialize(List(items, new V1ListMeta { ResourceVersion = version })), KubernetesStatus.JsonType);
        }

        // kubectl get -w lists, then watches from the Table's version.
        var table = Table(items, time.GetUtcNow());
        table["metadata"]!["resourceVersion"] = version;
        return Results.Text(table.ToJsonString(), KubernetesStatus.JsonType);
    }
}
