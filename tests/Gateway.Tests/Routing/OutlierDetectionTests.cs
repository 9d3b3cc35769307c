using Gateway.Pods;
using Gateway.Routing;
using Gateway.Specs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;
using static Gateway.Tests.Routing.Endpoints;

namespace Gateway.Tests.Routing;

/// <summary>Failure streaks counted on the request path (<see cref="InFlightRequests"/>), ejections through the endpoint table, with a fake clock.</summary>
public sealed class OutlierDetectionTests
{
    private static readonly TimeSpan Base = OutlierSpec.DefaultBaseEjectionTime;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly EndpointTable _endpoints;
    private readonly OutlierDetection _outlier;
    private readonly InFlightRequests _inFlight;
    private readonly List<Ejection> _ejections = [];
    private readonly List<Gateway.Routing.Endpoint> _tableEjections = [];
    private readonly Dictionary<string, PodState> _pods = [];
    private ClusterState _cluster = Proxy.Cluster();

    public OutlierDetectionTests()
    {
        _endpoints = new EndpointTable(_time);
        _outlier = new OutlierDetection(_endpoints, _time);
        _outlier.Ejected += _ejections.Add;
        _endpoints.Ejected += _tableEjections.Add;
        _inFlight = new InFlightRequests(_endpoints, _outlier);
        for (var n = 1; n <= 3; n++)
        {
            SetPod($"web-{n}", ready: true);
        }
    }

    private static string Id(int n) => $"web-{n}/i1";

    private bool InRotation(int n) => _endpoints.Current[Id(n)].Ready;

    private void SetPod(string name, bool ready)
    {
        var next = Running(Pod(name, 31000 + int.Parse(name[4..], System.Globalization.CultureInfo.InvariantCulture)), ready: ready);
        _endpoints.OnPodChanged(_pods.GetValueOrDefault(name), next);
        _pods[name] = next;
    }

    private Task Answer(int pod, int status, int times = 1) => Attempt(pod, times, c => c.Response.StatusCode = status);

    private Task Fail(int pod, ForwarderError error, Exception exception, int times = 1) =>
        Attempt(pod, times, c => { c.Response.StatusCode = 502; c.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error, exception)); });

    private async Task Attempt(int pod, int times, Action<HttpContext> outcome)
    {
        for (var i = 0; i < times; i++)
        {
            var context = Proxy.Request(_cluster, [new DestinationState(Id(pod))]);
            await _inFlight.InvokeAsync(context, () =>
            {
                outcome(context);
                return Task.CompletedTask;
            });
        }
    }

    [Fact]
    public async Task FiveConsecutive5xx_EjectedForTheBaseTime_AndTheOwnerTold()
    {
        await Answer(1, 500, times: 4);
        Assert.True(InRotation(1));

        await Answer(1, 503);

        Assert.False(InRotation(1));
        var ejection = Assert.Single(_ejections);
        Assert.Equal((OutlierReason.Consecutive5xx, 5, Base, _time.GetUtcNow() + Base, 1), (ejection.Reason, ejection.Failures, ejection.Duration, ejection.Until, ejection.TimesEjected));
        Assert.Equal(Id(1), Assert.Single(_tableEjections).DestinationId); // its readiness is re-checked at once
        Assert.True(InRotation(2) && InRotation(3));
    }

    [Fact]
    public async Task ASuccess_EndsTheStreak()
    {
        await Answer(1, 500, times: 4);
        await Answer(1, 200);
        await Answer(1, 500, times: 4);
        await Answer(1, 404);
        await Answer(1, 500, times: 4);

        Assert.True(InRotation(1));
        Assert.Empty(_ejections);
    }

    [Fact]
    public async Task ReadinessReportsDuringTheEjection_DoNotEndIt_TheTimeDoes()
    {
        await Answer(1, 500, times: 5);
        SetPod("web-1", ready: true); // the re-check passes: it still answers 500, so it stays out

        _time.Advance(Base - TimeSpan.FromMilliseconds(1));
        Assert.False(InRotation(1));
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(InRotation(1));
    }

    [Fact]
    public async Task ReadinessFailedDuringTheEjection_StillOutAfterIt()
    {
        await Answer(1, 500, times: 5);
        SetPod("web-1", ready: false);

        _time.Advance(Base);

        Assert.False(InRotation(1));
        Assert.False(_endpoints.Current[Id(1)].Ejected);
        SetPod("web-1", ready: true);
        Assert.True(InRotation(1));
    }

    [Fact]
    public async Task EjectedAgain_LastsTwiceAsLong()
    {
        await Answer(1, 500, times: 5);
        _time.Advance(Base);
        await Answer(1, 500, times: 5);

        Assert.Equal([Base, Base * 2], _ejections.Select(e => e.Duration));
        _time.Advance(Base * 2 - TimeSpan.FromMilliseconds(1));
        Assert.False(InRotation(1));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(InRotation(1));
    }

    [Fact]
    public async Task ConsecutiveConnectFailures_LeftToFastEjection_NotCounted()
    {
        // A refused connection already took the pod out (fast ejection) until its readiness passes: a
        // server restarted must be routed again at once, not after an ejection time.
        await Fail(1, ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"), times: 10);

        Assert.Empty(_ejections);
    }

    [Fact]
    public async Task ConsecutiveResets_EjectedAsGatewayFailures()
    {
        await Fail(1, ForwarderError.Request, new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely"), times: 5);

        Assert.Equal((OutlierReason.ConsecutiveGatewayFailures, 5), (Assert.Single(_ejections).Reason, _ejections[0].Failures));
    }

    [Fact]
    public async Task TimedOutAttempts_AreGatewayFailures()
    {
        await Attempt(1, 5, c => { c.Response.StatusCode = 504; c.Features.Set(new RequestTimeouts.TimedOut("BackendRequest", TimeSpan.FromSeconds(1))); });

        Assert.Equal(OutlierReason.ConsecutiveGatewayFailures, Assert.Single(_ejections).Reason);
    }

    [Fact]
    public async Task GatewayFailuresAnd5xxMixed_CountAs5xx()
    {
        await Answer(1, 500, times: 2);
        await Fail(1, ForwarderError.ResponseBodyDestination, new IOException("reset"), times: 2);
        Assert.Empty(_ejections);
        await Answer(1, 500);

        Assert.Equal((OutlierReason.Consecutive5xx, 5), (Assert.Single(_ejections).Reason, _ejections[0].Failures));
    }

    [Fact]
    public async Task AClientThatLeft_SaysNothingAboutThePod()
    {
        await Answer(1, 500, times: 4);
        await Fail(1, ForwarderError.RequestCanceled, new TaskCanceledException(), times: 3);
        Assert.Empty(_ejections);

        await Answer(1, 500);

        Assert.Single(_ejections);
    }

    [Fact]
    public async Task Disabled_NeverEjected()
    {
        _cluster = Proxy.Cluster(new ClusterSettings(TimeSpan.Zero, RetrySpec.Default) { Outlier = OutlierSpec.Default with { Enabled = false } });

        await Answer(1, 500, times: 20);

        Assert.True(InRotation(1));
        Assert.Empty(_ejections);
    }

    [Fact]
    public async Task ThresholdsAsSet_ZeroTurnsATriggerOff()
    {
        _cluster = Proxy.Cluster(new ClusterSettings(TimeSpan.Zero, RetrySpec.Default) { Outlier = OutlierSpec.Default with { Consecutive5xx = 0, ConsecutiveGatewayFailures = 2 } });

        await Answer(1, 500, times: 20);
        Assert.Empty(_ejections);
        await Fail(1, ForwarderError.Request, new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely"), times: 2);

        Assert.Equal(OutlierReason.ConsecutiveGatewayFailures, Assert.Single(_ejections).Reason);
    }

    [Fact]
    public async Task MaxEjectionPercent_TheSecondFailingPodWaitsForTheFirstToReturn()
    {
        await Answer(1, 500, times: 5);
        await Answer(2, 500, times: 8);

        Assert.Equal([Id(1)], _ejections.Select(e => e.DestinationId));
        Assert.True(InRotation(2));

        _time.Advance(Base);
        await Answer(2, 500);

        Assert.Equal([Id(1), Id(2)], _ejections.Select(e => e.DestinationId));
        Assert.True(InRotation(1));
        Assert.False(InRotation(2));
    }

    [Theory]
    [InlineData(200, null, false, AttemptOutcome.Success)]
    [InlineData(499, null, false, AttemptOutcome.Success)]
    [InlineData(500, null, false, AttemptOutcome.Http5xx)]
    [InlineData(503, null, false, AttemptOutcome.Http5xx)]
    [InlineData(504, null, true, AttemptOutcome.GatewayFailure)]
    [InlineData(502, ForwarderError.Request, false, AttemptOutcome.GatewayFailure)]
    [InlineData(504, ForwarderError.RequestTimedOut, false, AttemptOutcome.GatewayFailure)]
    [InlineData(502, ForwarderError.ResponseBodyDestination, false, AttemptOutcome.GatewayFailure)]
    [InlineData(502, ForwarderError.RequestCanceled, false, AttemptOutcome.ClientGone)]
    [InlineData(502, ForwarderError.RequestCanceled, true, AttemptOutcome.GatewayFailure)] // the attempt's timeout cancelled it
    [InlineData(200, ForwarderError.ResponseBodyClient, false, AttemptOutcome.ClientGone)]
    [InlineData(400, ForwarderError.RequestBodyClient, false, AttemptOutcome.ClientGone)]
    [InlineData(503, ForwarderError.NoAvailableDestinations, false, AttemptOutcome.NoPod)]
    public void Of_WhatARequestSaysAboutThePod(int status, ForwarderError? error, bool timedOut, AttemptOutcome outcome) =>
        Assert.Equal(outcome, AttemptOutcomes.Of(status, error is { } e ? new ErrorFeature(e, null) : null, timedOut));

    [Fact]
    public void Of_ARefusedConnection_AConnectFailure()
    {
        var refused = new ErrorFeature(ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));

        Assert.Equal(AttemptOutcome.ConnectFailure, AttemptOutcomes.Of(502, refused, timedOut: false));
    }

    [Theory]
    [InlineData(AttemptOutcome.Success, false)]
    [InlineData(AttemptOutcome.ClientGone, false)]
    [InlineData(AttemptOutcome.Http5xx, true)]
    [InlineData(AttemptOutcome.GatewayFailure, true)]
    [InlineData(AttemptOutcome.ConnectFailure, true)]
    [InlineData(AttemptOutcome.NoPod, true)]
    public void IsFailure_AnythingButASuccessOrTheClientsOwnDoing(AttemptOutcome outcome, bool failure) => Assert.Equal(failure, outcome.IsFailure());

    [Fact]
    public void ClusterSettings_CarryTheOutlierSettings()
    {
        var outlier = new OutlierSpec(3, 7, TimeSpan.FromMilliseconds(2500), 34, Enabled: false);
        var metadata = new ClusterSettings(TimeSpan.Zero, RetrySpec.Default) { Outlier = outlier }.ToMetadata();

        Assert.Equal(outlier, ClusterSettings.Of(new Yarp.ReverseProxy.Configuration.ClusterConfig { ClusterId = "web", Metadata = metadata }).Outlier);
        Assert.Equal(OutlierSpec.Default, ClusterSettings.Of(new Yarp.ReverseProxy.Configuration.ClusterConfig { ClusterId = "web" }).Outlier);
    }

    private sealed record ErrorFeature(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;
}
