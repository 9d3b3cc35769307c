using Gateway.Admin;

namespace Gateway.Tests.Admin;

public sealed class AdminAuthorizationTests
{
    [Theory]
    // Loopback only: reads are open, writes need the header's token.
    [InlineData("GET", "/api/v1/pods", true, "None", "None", true)]
    [InlineData("HEAD", "/", true, "None", "None", true)]
    [InlineData("GET", "/api/v1/pods", true, "Valid", "None", true)]
    [InlineData("GET", "/api/v1/pods", true, "Invalid", "None", false)]
    [InlineData("GET", "/api/v1/pods", true, "None", "Invalid", false)]
    [InlineData("PATCH", "/api/v1/namespaces/default/pods/web-1/status", true, "None", "None", false)]
    [InlineData("PATCH", "/api/v1/namespaces/default/pods/web-1/status", true, "Valid", "None", true)]
    [InlineData("PATCH", "/api/v1/namespaces/default/pods/web-1/status", true, "Invalid", "Valid", false)]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods/web-1", true, "None", "None", false)]
    [InlineData("POST", "/healthz", true, "None", "None", false)]
    [InlineData("OPTIONS", "/", true, "None", "None", false)]
    // The cookie never counts for a write: a page on another site cannot write with it.
    [InlineData("PATCH", "/api/v1/namespaces/default/pods/web-1/status", true, "None", "Valid", false)]
    [InlineData("PATCH", "/api/v1/namespaces/default/pods/web-1/status", false, "None", "Valid", false)]
    // exec runs a command: a write whatever its verb (kubectl's WebSocket upgrade is a GET), and the cookie does not count.
    [InlineData("GET", "/api/v1/namespaces/default/pods/web-1/exec", true, "None", "None", false)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web-1/exec", true, "None", "Valid", false)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/web-1/exec", true, "Valid", "None", true)]
    [InlineData("POST", "/api/v1/namespaces/default/pods/web-1/exec", true, "None", "None", false)]
    [InlineData("GET", "/api/v1/namespaces/default/pods/exec", true, "None", "None", true)]
    // Bound beyond loopback: every read but /healthz and /readyz needs the token, in the header or the cookie.
    [InlineData("GET", "/api/v1/pods", false, "None", "None", false)]
    [InlineData("GET", "/", false, "None", "None", false)]
    [InlineData("GET", "/metrics", false, "None", "None", false)]
    [InlineData("GET", "/api/v1/pods", false, "Valid", "None", true)]
    [InlineData("GET", "/", false, "None", "Valid", true)]
    [InlineData("GET", "/", false, "Invalid", "Valid", false)]
    [InlineData("GET", "/", false, "None", "Invalid", false)]
    [InlineData("GET", "/healthz", false, "None", "None", true)]
    [InlineData("GET", "/readyz", false, "None", "None", true)]
    [InlineData("HEAD", "/readyz", false, "None", "None", true)]
    [InlineData("GET", "/healthz/extra", false, "None", "None", false)]
    [InlineData("GET", "/readyz", false, "Invalid", "None", false)]
    [InlineData("PATCH", "/api/v1/namespaces/default/pods/web-1/status", false, "Valid", "None", true)]
    public void IsAllowed_ByVerbPathBindingAndCredentials(string method, string path, bool loopbackOnly, string bearer, string cookie, bool want) =>
        Assert.Equal(want, AdminAuthorization.IsAllowed(method, path, loopbackOnly, Enum.Parse<AdminCredential>(bearer), Enum.Parse<AdminCredential>(cookie)));
}
