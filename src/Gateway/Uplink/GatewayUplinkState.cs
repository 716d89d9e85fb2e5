namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// What the reported twin says of the uplink: connected, records the outbox still holds per lane
/// (not yet acknowledged or receipted), each lane's committed chain head, and a full outbox.
/// </summary>
internal sealed class GatewayUplinkState(ChainBook book, IUplink uplink, StorageHealth? storage = null) : IUplinkStateSource
{
    public UplinkState Read()
    {
        var heads = book.Store.Heads;
        return new UplinkState(
            uplink.IsConnected,
            new Dictionary<Lane, long>
            {
                [Lane.Telemetry] = book.Store.Usage(Lane.Telemetry).Records,
                [Lane.Alarm] = book.Store.Usage(Lane.Alarm).Records,
            },
            heads.ToDictionary(h => h.Key, h => new LaneHead(h.Value.Epoch, h.Value.Seq, h.Value.Hash)),
            storage?.FullSince);
    }
}
