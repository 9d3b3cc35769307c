using System.Text;
using System.Text.Json.Nodes;
using Gateway.Admin;
using Gateway.Runtimes;

namespace Gateway.Tests.Admin;

public sealed class RemoteCommandProtocolTests
{
    [Theory]
    [InlineData("v5.channel.k8s.io", "v5.channel.k8s.io")]
    [InlineData("v4.channel.k8s.io", "v4.channel.k8s.io")]
    [InlineData("v4.channel.k8s.io, v5.channel.k8s.io", "v5.channel.k8s.io")]
    [InlineData("v3.channel.k8s.io,channel.k8s.io", null)]
    [InlineData("base64.channel.k8s.io", null)]
    [InlineData("", null)]
    public void Negotiate_TheBestServedProtocolAsked(string requested, string? want) =>
        Assert.Equal(want, RemoteCommandProtocol.Negotiate([requested]));

    [Fact]
    public void Frame_TheChannelByteThenTheData() =>
        Assert.Equal(new byte[] { 1, (byte)'h', (byte)'i' }, RemoteCommandProtocol.Frame(RemoteCommandProtocol.Stdout, "hi"u8));

    [Fact]
    public void Parse_Stdin_TheDataWithoutTheChannelByte()
    {
        var message = Assert.IsType<ClientMessage.Input>(RemoteCommandProtocol.Parse(new byte[] { 0, 7, 8 }, RemoteCommandProtocol.V5));

        Assert.Equal(new byte[] { 7, 8 }, message.Data.ToArray());
    }

    [Fact]
    public void Parse_Resize_KubectlsTerminalSizeJson() =>
        Assert.Equal(new ClientMessage.Resized(new TerminalSize(80, 24)),
            RemoteCommandProtocol.Parse(RemoteCommandProtocol.Frame(RemoteCommandProtocol.Resize, "{\"Width\":80,\"Height\":24}\n"u8), RemoteCommandProtocol.V5));

    [Theory]
    [InlineData("{\"width\":80,\"height\":24}")]
    [InlineData("{\"Width\":-1,\"Height\":24}")]
    [InlineData("{\"Width\":80}")]
    [InlineData("[80,24]")]
    [InlineData("not json")]
    public void Parse_ResizeNotATerminalSize_Ignored(string json) =>
        Assert.IsType<ClientMessage.Ignored>(RemoteCommandProtocol.Parse(RemoteCommandProtocol.Frame(RemoteCommandProtocol.Resize, Encoding.UTF8.GetBytes(json)), RemoteCommandProtocol.V5));

    [Fact]
    public void Parse_V5CloseSignal_TheStreamClosed() =>
        Assert.Equal(new ClientMessage.Closed(RemoteCommandProtocol.Stdin), RemoteCommandProtocol.Parse(new byte[] { 255, 0 }, RemoteCommandProtocol.V5));

    [Fact]
    public void Parse_CloseSignalUnderV4_Ignored_V4HasNone() =>
        Assert.IsType<ClientMessage.Ignored>(RemoteCommandProtocol.Parse(new byte[] { 255, 0 }, RemoteCommandProtocol.V4));

    [Theory]
    [InlineData(new byte[] { 255 })]
    [InlineData(new byte[] { 255, 0, 1 })]
    [InlineData(new byte[] { 1, 65 })]
    [InlineData(new byte[] { 3, 65 })]
    [InlineData(new byte[0])]
    public void Parse_WhatAClientDoesNotSend_Ignored(byte[] message) =>
        Assert.IsType<ClientMessage.Ignored>(RemoteCommandProtocol.Parse(message, RemoteCommandProtocol.V5));

    [Fact]
    public void ExitStatus_Zero_Success()
    {
        var status = JsonNode.Parse(RemoteCommandProtocol.ExitStatus(0))!;

        Assert.Equal("Success", (string?)status["status"]);
        Assert.Null(status["details"]);
    }

    [Theory]
    [InlineData(3, "3")]
    [InlineData(137, "137")]
    [InlineData(-1, "255")]
    public void ExitStatus_NonZero_TheKubeletsNonZeroExitCodeWithTheCodeAsACause(int exitCode, string cause)
    {
        var status = JsonNode.Parse(RemoteCommandProtocol.ExitStatus(exitCode))!;

        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal("NonZeroExitCode", (string?)status["reason"]);
        var causes = status["details"]!["causes"]!.AsArray();
        Assert.Equal("ExitCode", (string?)causes.Single()!["reason"]);
        Assert.Equal(cause, (string?)causes.Single()!["message"]);
    }

    [Fact]
    public void StartFailure_AnInternalErrorKubectlPrints()
    {
        var status = JsonNode.Parse(RemoteCommandProtocol.StartFailure("exec: \"x\": executable file not found in $PATH"))!;

        Assert.Equal(("Failure", "InternalError", 500), ((string?)status["status"], (string?)status["reason"], (int?)status["code"]));
        Assert.Equal("Internal error occurred: error executing command in container: exec: \"x\": executable file not found in $PATH", (string?)status["message"]);
    }
}
