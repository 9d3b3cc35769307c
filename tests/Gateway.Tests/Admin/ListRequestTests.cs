using Gateway.Admin;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Admin;

public sealed class ListRequestTests
{
    [Theory]
    [InlineData("?watch=1&resourceVersion=42&timeoutSeconds=30&allowWatchBookmarks=true", true, 42L, 30, true)]
    [InlineData("?watch=true", true, null, 1800, false)]
    [InlineData("?watch=false&resourceVersion=0", false, null, 1800, false)]
    [InlineData("?timeoutSeconds=0", false, null, 1800, false)]
    [InlineData("", false, null, 1800, false)]
    public void Parse_Query_AsTheApiServerReadsIt(string query, bool watch, long? version, int timeoutSeconds, bool bookmarks)
    {
        var options = ListRequest.Parse(Request(query), ResourceFields.Pod, out var error);

        Assert.Null(error);
        Assert.Equal((watch, version, TimeSpan.FromSeconds(timeoutSeconds), bookmarks), (options!.Watch, options.ResourceVersion, options.Timeout, options.Bookmarks));
    }

    [Theory]
    [InlineData("?watch=yes", "watch: Invalid value: \"yes\"")]
    [InlineData("?resourceVersion=abc", "resourceVersion: Invalid value: \"abc\"")]
    [InlineData("?resourceVersion=-1", "resourceVersion: Invalid value: \"-1\"")]
    [InlineData("?timeoutSeconds=99999999999999999999", "timeoutSeconds: Invalid value")]
    [InlineData("?timeoutSeconds=86401", "timeoutSeconds: Invalid value")]
    [InlineData("?timeoutSeconds=-5", "timeoutSeconds: Invalid value")]
    [InlineData("?allowWatchBookmarks=maybe", "allowWatchBookmarks: Invalid value")]
    [InlineData("?labelSelector=a%20in%20(", "unable to parse requirement")]
    [InlineData("?fieldSelector=spec.containers%3Dx", "field label not supported: spec.containers")]
    public void Parse_Malformed_NullWithAMessage(string query, string message)
    {
        Assert.Null(ListRequest.Parse(Request(query), ResourceFields.Pod, out var error));
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TableAccept_Table()
    {
        var request = Request("?watch=true");
        request.Headers.Accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

        Assert.True(ListRequest.Parse(request, ResourceFields.Pod, out _)!.Table);
    }

    private static HttpRequest Request(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        return context.Request;
    }
}
