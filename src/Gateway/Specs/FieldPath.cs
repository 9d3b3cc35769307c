namespace Gateway.Specs;

/// <summary>Builds field paths as the API server writes them: <c>spec.containers[0].ports[1].name</c>.</summary>
internal static class FieldPath
{
    /// <summary>
    /// <paramref name="path"/>.<paramref name="name"/>; a path that is empty or already ends in a
    /// separator (a configuration prefix such as <c>Gateway:Services:web:</c>) gets no extra dot.
    /// </summary>
    public static string Child(string path, string name) =>
        path.Length == 0 || path.EndsWith('.') || path.EndsWith(':') ? path + name : path + "." + name;

    public static string Index(string path, int index) => $"{path}[{index}]";

    public static string Key(string path, string key) => $"{path}[{key}]";
}
