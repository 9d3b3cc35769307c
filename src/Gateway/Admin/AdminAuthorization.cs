namespace Gateway.Admin;

/// <summary>What a request carries in one place (the <c>Authorization</c> header or the status page's cookie).</summary>
internal enum AdminCredential
{
    None,
    Valid,
    Invalid,
}

/// <summary>Who may do what on the admin API: the decision alone, over plain values.</summary>
internal static class AdminAuthorization
{
    /// <summary>
    /// Whether a request may go on. A wrong token is refused everywhere, as the API server refuses a
    /// bad bearer token before it looks at the path. A write (any verb but GET and HEAD) needs the
    /// token in the <c>Authorization</c> header, always: the cookie does not count for writes, so a
    /// page on another site cannot make a browser write with it. A read needs no token on a listener
    /// bound only to loopback, and <c>/healthz</c> and <c>/readyz</c> never do; any other read needs
    /// the token, in the header or the cookie.
    /// </summary>
    public static bool IsAllowed(string method, string path, bool loopbackOnly, AdminCredential bearer, AdminCredential cookie)
    {
        var read = !IsWrite(method, path);
        var credential = bearer != AdminCredential.None || !read ? bearer : cookie;
        return credential switch
        {
            AdminCredential.Valid => true,
            AdminCredential.Invalid => false,
            _ => read && (loopbackOnly || IsPublic(path)),
        };
    }

    /// <summary>
    /// Whether a request changes something: any verb but GET and HEAD, and a command run in a pod
    /// (<c>pods/{name}/exec</c>) whatever its verb, since kubectl's WebSocket upgrade for it is a GET.
    /// </summary>
    public static bool IsWrite(string method, string path) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) || IsPodExec(path);

    /// <summary><c>/api/v1/namespaces/{ns}/pods/{name}/exec</c>.</summary>
    private static bool IsPodExec(string path)
    {
        var parts = path.Split('/');
        return parts is ["", "api", "v1", "namespaces", _, "pods", _, "exec"];
    }

    /// <summary>The gateway's own health, which probes and load balancers read without a token.</summary>
    public static bool IsPublic(string path) => path is "/healthz" or "/readyz";
}
