namespace EdgeTwin.Mqtt.Tests;

using System.Text;
using MQTTnet;
using MQTTnet.Packets;

/// <summary>
/// The receive-path probe's decisions, on a clock the test sets: when a probe goes, what counts as
/// its return, and when silence is a stall rather than flow control. The ingest worker and the
/// gateway's uplink around it, with a real broker and a proxy withholding deliveries, are
/// <c>ScaleOutTests.BrokerStopsDelivering...</c> and <c>UplinkReceiveProbeTests</c>.
/// </summary>
public sealed class ReceiveProbeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(60);
    private const string Topic = "edgetwin/v1/ingest.probe/0123456789abcdef";

    [Fact]
    public void AProbeGoesEveryInterval_OnlyWhenNoneIsOut_AndNeverWithoutItsSubscription()
    {
        var probe = Probe();
        probe.Connected(probeSubscribed: true, T0);
        Assert.Null(probe.Due(T0 + Interval - TimeSpan.FromTicks(1)));
        var first = probe.Due(T0 + Interval);
        Assert.NotNull(first);
        Assert.Null(probe.Due(T0 + (Interval * 3)));

        Assert.Equal(TimeSpan.FromSeconds(2), probe.Arrived(first, T0 + Interval + TimeSpan.FromSeconds(2)));
        Assert.Null(probe.Due(T0 + (Interval * 2) - TimeSpan.FromSeconds(1)));
        var second = probe.Due(T0 + (Interval * 2) + TimeSpan.FromSeconds(2));
        Assert.NotNull(second);
        Assert.NotEqual(first, second);

        var refused = Probe();
        refused.Connected(probeSubscribed: false, T0);
        Assert.Null(refused.Due(T0 + (Interval * 100)));

        var off = new ReceiveProbe(Topic, TimeSpan.Zero, StallAfter);
        off.Connected(probeSubscribed: true, T0);
        Assert.False(off.Enabled);
        Assert.Null(off.Due(T0 + (Interval * 100)));
    }

    [Fact]
    public void ConnectedWithTheSubscribeResult_ProbesWhenItsFilterWasGranted_SaysTheCodeWhenRefused_NotWhenNotAskedFor()
    {
        static MqttClientSubscribeResult Result(params (string Filter, MqttClientSubscribeResultCode Code)[] items) =>
            new(1, [.. items.Select(i => new MqttClientSubscribeResultItem(new MqttTopicFilter { Topic = i.Filter }, i.Code))], string.Empty, []);

        var granted = Probe();
        Assert.Null(granted.Connected(Result(("$share/g/edgetwin/v1/+/+/telemetry", MqttClientSubscribeResultCode.GrantedQoS1), (Topic, MqttClientSubscribeResultCode.GrantedQoS1)), T0));
        Assert.NotNull(granted.Due(T0 + Interval));

        var refused = Probe();
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, refused.Connected(Result(("$share/g/edgetwin/v1/+/+/telemetry", MqttClientSubscribeResultCode.GrantedQoS1), (Topic, MqttClientSubscribeResultCode.NotAuthorized)), T0));
        Assert.Null(refused.Due(T0 + (Interval * 100)));

        var notAsked = Probe();
        Assert.Null(notAsked.Connected(Result(("edgetwin/v1/s/gw/receipt", MqttClientSubscribeResultCode.GrantedQoS1)), T0));
        Assert.Null(notAsked.Due(T0 + (Interval * 100)));
        Assert.Null(notAsked.Connected((MqttClientSubscribeResult?)null, T0));
        Assert.Null(notAsked.Due(T0 + (Interval * 100)));
    }

    [Fact]
    public void OnlyTheNonceOfTheProbeOut_CountsAsItsReturn_AnotherPayloadOrARepeat_Does_Not()
    {
        var probe = Probe();
        probe.Connected(probeSubscribed: true, T0);
        var payload = probe.Due(T0 + Interval)!;
        Assert.Null(probe.Arrived(Encoding.ASCII.GetBytes(new string('0', payload.Length)), T0 + Interval));
        Assert.Null(probe.Arrived([], T0 + Interval));
        Assert.Null(probe.Arrived(payload.AsSpan(0, payload.Length - 1), T0 + Interval));
        Assert.NotNull(probe.Arrived(payload, T0 + Interval));
        Assert.Null(probe.Arrived(payload, T0 + Interval));
    }

    [Fact]
    public void ProbeOut_NothingReceivedForStallAfter_RoomInTheWindow_IsAStall_ToldOnce()
    {
        var probe = Probe();
        probe.Connected(probeSubscribed: true, T0);
        Assert.NotNull(probe.Due(T0 + Interval));
        Assert.Equal(ProbeVerdict.Delivering, probe.Check(T0 + Interval + StallAfter - TimeSpan.FromTicks(1), held: 0, window: 100, out _));
        Assert.Equal(ProbeVerdict.Stalled, probe.Check(T0 + Interval + StallAfter, held: 99, window: 100, out var quiet));
        Assert.Equal(Interval + StallAfter, quiet);
        Assert.Equal(ProbeVerdict.Delivering, probe.Check(T0 + Interval + StallAfter + TimeSpan.FromSeconds(1), held: 0, window: 100, out _));
    }

    [Fact]
    public void ProbeOut_ButMessagesStillComing_IsNoStall_NorIsSilenceWithNoProbeOut()
    {
        var probe = Probe();
        probe.Connected(probeSubscribed: true, T0);
        Assert.Equal(ProbeVerdict.Delivering, probe.Check(T0 + (StallAfter * 5), held: 0, window: 100, out _));

        Assert.NotNull(probe.Due(T0 + (StallAfter * 5)));
        probe.Received(T0 + (StallAfter * 6) - TimeSpan.FromSeconds(1));
        Assert.Equal(ProbeVerdict.Delivering, probe.Check(T0 + (StallAfter * 6), held: 0, window: 100, out _));
        Assert.Equal(ProbeVerdict.Stalled, probe.Check(T0 + (StallAfter * 7), held: 0, window: 100, out _));
    }

    [Fact]
    public void ProbeOverdue_WithTheWindowFull_IsFlowControl_ToldOncePerProbe_AndAStallOnceThereIsRoom()
    {
        var probe = Probe();
        probe.Connected(probeSubscribed: true, T0);
        Assert.NotNull(probe.Due(T0 + Interval));
        var late = T0 + Interval + StallAfter;
        Assert.Equal(ProbeVerdict.WindowFull, probe.Check(late, held: 100, window: 100, out _));
        Assert.Equal(ProbeVerdict.Delivering, probe.Check(late + TimeSpan.FromSeconds(1), held: 100, window: 100, out _));
        Assert.Equal(ProbeVerdict.Stalled, probe.Check(late + TimeSpan.FromSeconds(2), held: 40, window: 100, out _));
    }

    [Fact]
    public void AProbeTheBrokerDidNotTake_IsNotOut_SoItMakesNoStall_AndAReconnectForgetsTheOneOut()
    {
        var probe = Probe();
        probe.Connected(probeSubscribed: true, T0);
        var payload = probe.Due(T0 + Interval)!;
        probe.NotSent(payload);
        Assert.Equal(ProbeVerdict.Delivering, probe.Check(T0 + (StallAfter * 3), held: 0, window: 100, out _));
        Assert.Null(probe.Arrived(payload, T0 + (StallAfter * 3)));

        var next = probe.Due(T0 + (StallAfter * 3))!;
        probe.Connected(probeSubscribed: true, T0 + (StallAfter * 3));
        Assert.Equal(ProbeVerdict.Delivering, probe.Check(T0 + (StallAfter * 5), held: 0, window: 100, out _));
        Assert.Null(probe.Arrived(next, T0 + (StallAfter * 5)));
    }

    private static ReceiveProbe Probe() => new(Topic, Interval, StallAfter);
}
