using Gateway.Admin;
using Gateway.Runtimes;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Admin;

public sealed class PodLogOptionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Parse_EveryParameterKubectlSends()
    {
        var options = Parse("?container=web&follow=true&previous=true&timestamps=true&tailLines=20&limitBytes=100&sinceSeconds=60");

        Assert.Equal(
            new PodLogOptions { Container = "web", Follow = true, Previous = true, Timestamps = true, TailLines = 20, LimitBytes = 100, SinceSeconds = 60 },
            options);
    }

    [Theory]
    [InlineData("?follow=true", true)]
    [InlineData("?follow=1", true)]
    [InlineData("?follow=yes", true)]
    [InlineData("?follow=", true)]
    [InlineData("?follow=false", false)]
    [InlineData("?follow=FALSE", false)]
    [InlineData("?follow=0", false)]
    [InlineData("", false)]
    public void Parse_Bool_TrueUnlessFalseOrZero_AsTheApiServer(string query, bool follow) => Assert.Equal(follow, Parse(query).Follow);

    [Fact]
    public void Parse_SinceTime_Rfc3339()
    {
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 1, 4, 5, TimeSpan.Zero), Parse("?sinceTime=2026-01-02T03:04:05%2B02:00").SinceTime);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 500, TimeSpan.Zero), Parse("?sinceTime=2026-01-02T03:04:05.5Z").SinceTime);
    }

    [Theory]
    [InlineData("?tailLines=ten", "strconv.ParseInt: parsing \"ten\": invalid syntax")]
    [InlineData("?limitBytes=1.5", "strconv.ParseInt: parsing \"1.5\": invalid syntax")]
    [InlineData("?sinceSeconds=1m", "strconv.ParseInt: parsing \"1m\": invalid syntax")]
    [InlineData("?sinceTime=yesterday", "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\"")]
    public void Parse_Undecodable_TheApiServersError(string query, string message)
    {
        Assert.Null(PodLogOptions.Parse(Query(query), out var error));
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?tailLines=-1", "tailLines: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("?limitBytes=0", "limitBytes: Invalid value: 0: must be greater than 0")]
    [InlineData("?sinceSeconds=0", "sinceSeconds: Invalid value: 0: must be greater than 0")]
    [InlineData("?sinceSeconds=5&sinceTime=2026-01-02T03:04:05Z", ": Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified")]
    public void Validate_TheApiServersRules(string query, string error) =>
        Assert.Equal([error], Parse(query).Validate().Select(c => c.ToString()));

    [Fact]
    public void Validate_GoodValues_NoError() => Assert.Empty(Parse("?tailLines=0&limitBytes=1&sinceSeconds=1").Validate());

    [Fact]
    public void Since_SecondsBackFromNow_OrTheTimeGiven()
    {
        Assert.Equal(Now.AddMinutes(-1), Parse("?sinceSeconds=60").Since(Now));
        Assert.Equal(DateTimeOffset.MinValue, Parse($"?sinceSeconds={long.MaxValue}").Since(Now));
        Assert.Equal(Now.AddHours(-1), Parse("?sinceTime=2026-01-02T02:04:05Z").Since(Now));
        Assert.Null(Parse("").Since(Now));
    }

    [Theory]
    [InlineData("", null, "a,b,c,d")]
    [InlineData("?tailLines=2", null, "c,d")]
    [InlineData("?tailLines=0", null, "")]
    [InlineData("?tailLines=9", null, "a,b,c,d")]
    [InlineData("", 2, "c,d")]
    [InlineData("?tailLines=3", 3, "d")]
    [InlineData("?tailLines=1", 0, "d")]
    public void Select_TheTailThenTheLinesSince(string query, int? sinceSecond, string expected)
    {
        LogLine[] kept = [Line(0, "a"), Line(1, "b"), Line(2, "c"), Line(3, "d")];

        var shown = Parse(query).Select(kept, sinceSecond is { } s ? Now.AddSeconds(s) : null);

        Assert.Equal(expected, string.Join(',', shown.Select(l => l.Text)));
    }

    private static LogLine Line(int second, string text) => new(Now.AddSeconds(second), LogStream.Stdout, text);

    private static PodLogOptions Parse(string query)
    {
        var options = PodLogOptions.Parse(Query(query), out var error);
        Assert.Null(error);
        return options!;
    }

    private static IQueryCollection Query(string query) => new DefaultHttpContext { Request = { QueryString = new QueryString(query) } }.Request.Query;
}
