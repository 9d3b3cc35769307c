using Microsoft.Net.Http.Headers;

namespace Gateway.Admin;

/// <summary>
/// The admin listener's door, before any endpoint: the <c>Host</c> check against DNS rebinding, the
/// token (<see cref="AdminAuthorization"/>), the status page's one-time <c>?token=</c> turned into a
/// cookie, and the body limit checked on <c>Content-Length</c> before a byte of the body is read.
/// </summary>
internal sealed partial class AdminAccessMiddleware(AdminAccess access, ILogger<AdminAccessMiddleware> logger)
{
    public const string CookieName = "gateway-admin-token";
    public const string TokenParameter = "token";

    /// <summary>The largest request body the admin API reads (Kestrel's limit on the admin listener too).</summary>
    public const long MaxBodyBytes = 1 << 20;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var host = request.Host.Host;
        if (!AdminHostRule.IsAllowed(host, access.Hosts))
        {
            Log.ForeignHost(logger, host, request.Path);
            await KubernetesStatus.WriteAsync(context.Response, StatusCodes.Status403Forbidden, "Forbidden",
                $"host {Specs.GoSyntax.Quote(host)} is not allowed to reach the admin API: it is not a loopback name or an IP address; add it to {AdminHostRule.Setting} to allow it");
            return;
        }

        if (request.Path == "/" && HttpMethods.IsGet(request.Method) && request.Query.TryGetValue(TokenParameter, out var given))
        {
            await SignInAsync(context, given.ToString());
            return;
        }

        var bearer = Credential(Bearer(request.Headers.Authorization.ToString()));
        var cookie = Credential(request.Cookies[CookieName]);
        if (!AdminAuthorization.IsAllowed(request.Method, request.Path.Value ?? "/", access.LoopbackOnly, bearer, cookie))
        {
            await UnauthorizedAsync(context.Response);
            return;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            await KubernetesStatus.WriteAsync(context.Response, StatusCodes.Status413PayloadTooLarge, "RequestEntityTooLarge",
                $"the request is too large: limit is {MaxBodyBytes} bytes");
            return;
        }

        await next(context);
    }

    /// <summary>The status page opened once with <c>?token=</c>: keep the token in a cookie and redirect to drop it from the URL (and so from history and logs).</summary>
    private async Task SignInAsync(HttpContext context, string given)
    {
        if (!AdminToken.Matches(given, access.Token))
        {
            await UnauthorizedAsync(context.Response);
            return;
        }

        context.Response.Cookies.Append(CookieName, given, new CookieOptions { HttpOnly = true, SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict, Path = "/", Secure = context.Request.IsHttps });
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Redirect(context.Request.PathBase + "/");
    }

    private AdminCredential Credential(string? token) =>
        token is null ? AdminCredential.None : AdminToken.Matches(token, access.Token) ? AdminCredential.Valid : AdminCredential.Invalid;

    /// <summary>The token of <c>Authorization: Bearer TOKEN</c>; an <c>Authorization</c> of another scheme counts as a wrong token.</summary>
    private static string? Bearer(string authorization) =>
        authorization.Length == 0 ? null
        : authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim()
        : "";

    private static Task UnauthorizedAsync(HttpResponse response)
    {
        response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"gateway\"";
        return KubernetesStatus.WriteAsync(response, StatusCodes.Status401Unauthorized, "Unauthorized",
            "Unauthorized: send the token of Gateway:Admin:TokenFile as \"Authorization: Bearer <token>\" (a browser: open /?token=<token> once)");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "admin API: refused a request for host \"{Host}\" ({Path}); add the name to Gateway:Admin:Hosts if it is yours")]
        public static partial void ForeignHost(ILogger logger, string host, string path);
    }
}
