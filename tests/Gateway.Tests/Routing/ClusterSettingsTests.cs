using Gateway.Routing;
using Gateway.Specs;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Tests.Routing;

public sealed class ClusterSettingsTests
{
    [Theory]
    [InlineData(0, 2, 20, 3, 65536)]
    [InlineData(2.5, 0, 12.5, 0, 0)]
    [InlineData(3600, 10, 100, 10000, 16777216)]
    public void Of_MetadataWrittenByToMetadata_TheSameSettings(double slowStartSeconds, int attempts, double budget, int minConcurrent, int bufferBytes)
    {
        var settings = new ClusterSettings(TimeSpan.FromSeconds(slowStartSeconds), new RetrySpec(attempts, budget, minConcurrent, bufferBytes));

        Assert.Equal(settings, ClusterSettings.Of(new ClusterConfig { ClusterId = "web", Metadata = settings.ToMetadata() }));
    }

    [Fact]
    public void Of_NoMetadata_NoSlowStartAndTheDefaultRetries() =>
        Assert.Equal(new ClusterSettings(TimeSpan.Zero, RetrySpec.Default), ClusterSettings.Of(new ClusterConfig { ClusterId = "web" }));

    [Fact]
    public void Of_TheSameConfigTwice_ParsedOnce()
    {
        var config = new ClusterConfig { ClusterId = "web", Metadata = new ClusterSettings(TimeSpan.FromSeconds(5), RetrySpec.Default).ToMetadata() };

        Assert.Same(ClusterSettings.Of(config), ClusterSettings.Of(config));
    }

    [Fact]
    public void From_Service_ItsWindowAndRetries()
    {
        var retries = new RetrySpec(Attempts: 1);
        var service = new ServiceSpec
        {
            Name = "web", Route = new RouteSpec("/", []), Backend = new StaticBackend([new Uri("http://127.0.0.1:1")], null),
            ConfigDirectory = "/", SlowStart = TimeSpan.FromSeconds(10), Retries = retries,
        };

        Assert.Equal(new ClusterSettings(TimeSpan.FromSeconds(10), retries), ClusterSettings.From(service));
    }

    [Theory]
    [InlineData(30.0, false, null, 100.0, 5.0)]
    [InlineData(null, true, null, 1.0, 0.25)]
    [InlineData(60.0, true, 10.0, 300.0, 1.0)]
    public void Of_TimeoutsWrittenByToMetadata_TheSameTimeouts(double? request, bool set, double? backend, double idle, double connect)
    {
        static TimeSpan? S(double? s) => s is { } v ? TimeSpan.FromSeconds(v) : null;
        var timeouts = new Gateway.Specs.TimeoutsSpec(S(request), set, S(backend), TimeSpan.FromSeconds(idle), TimeSpan.FromSeconds(connect));
        var metadata = new ClusterSettings(TimeSpan.Zero, RetrySpec.Default) { Timeouts = timeouts }.ToMetadata();

        Assert.Equal(timeouts, ClusterSettings.Of(new ClusterConfig { ClusterId = "web", Metadata = metadata }).Timeouts);
        Assert.Equal(TimeSpan.FromSeconds(connect), ClusterSettings.ConnectTimeout(metadata));
    }
}
