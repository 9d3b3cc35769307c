using Gateway.Admin;
using Microsoft.Extensions.Primitives;

namespace Gateway.Tests.Admin;

public sealed class PodExecRequestTests
{
    private static PodExecRequest? Parse(string query, out string? error, string[]? containers = null, string[]? initContainers = null)
    {
        var values = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);
        return PodExecRequest.Parse(key => values.TryGetValue(key, out var v) ? v : StringValues.Empty, "web-1", containers ?? ["web", "side"], initContainers ?? [], out error);
    }

    [Fact]
    public void Parse_KubectlsQuery_TheCommandContainerAndStreams()
    {
        var request = Parse("?command=sh&command=-c&command=echo+hi&container=side&stdin=true&stdout=true&stderr=true", out var error);

        Assert.Null(error);
        Assert.Equal("side", request!.Container);
        Assert.Equal(["sh", "-c", "echo hi"], request.Spec.Command);
        Assert.Equal((true, false, true, true), (request.Spec.Stdin, request.Spec.Tty, request.Stdout, request.Stderr));
    }

    [Fact]
    public void Parse_TtyWithStderr_StderrDropped_ATerminalHasOneOutput()
    {
        var request = Parse("?command=sh&container=web&stdin=1&stdout=1&stderr=1&tty=1", out _);

        Assert.Equal((true, true, false), (request!.Spec.Tty, request.Stdout, request.Stderr));
    }

    [Fact]
    public void Parse_NoContainer_OneContainer_ThatOne() =>
        Assert.Equal("web", Parse("?command=true&stdout=true", out _, containers: ["web"])!.Container);

    [Theory]
    [InlineData("?stdout=true&container=web", "you must specify at least one command for the container")]
    [InlineData("?command=true&container=web", "you must specify at least 1 of stdin, stdout, stderr")]
    [InlineData("?command=true&container=web&stderr=true&tty=true", "you must specify at least 1 of stdin, stdout, stderr")]
    [InlineData("?command=true&container=web&stdout=yes", "stdout: Invalid value: \"yes\": must be true or false")]
    [InlineData("?command=true&container=nope&stdout=true", "container nope is not valid for pod web-1")]
    [InlineData("?command=true&stdout=true", "a container name must be specified for pod web-1, choose one of: [web side]")]
    public void Parse_WhatTheApiServerRefuses_ItsWords(string query, string want)
    {
        Assert.Null(Parse(query, out var error));
        Assert.Equal(want, error);
    }

    [Fact]
    public void Parse_InitContainers_NamedInTheChoice_AndAccepted()
    {
        Assert.Null(Parse("?command=true&stdout=true", out var error, initContainers: ["setup"]));
        Assert.Equal("a container name must be specified for pod web-1, choose one of: [web side] or one of the init containers: [setup]", error);
        Assert.Equal("setup", Parse("?command=true&stdout=true&container=setup", out _, initContainers: ["setup"])!.Container);
    }
}
