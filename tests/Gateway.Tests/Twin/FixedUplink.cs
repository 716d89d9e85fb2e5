namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Telemetry.Records;

/// <summary>An uplink state the test sets by hand.</summary>
internal sealed class FixedUplink : IUplinkStateSource
{
    public UplinkState State { get; set; } = new(
        true,
        new Dictionary<Lane, long> { [Lane.Telemetry] = 0, [Lane.Alarm] = 0 },
        new Dictionary<Lane, LaneHead>
        {
            [Lane.Telemetry] = new(new string('a', 32), 0, new string('1', 64)),
            [Lane.Alarm] = new(new string('b', 32), 0, new string('2', 64)),
        });

    public UplinkState Read() => State;
}
