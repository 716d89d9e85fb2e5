namespace EdgeTwin.Gateway.Uplink;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Options;

/// <summary>
/// The gateway's retained documents signed with its key (<see cref="GatewayDocument"/>), so that a
/// cloud can tell them from anything else published on the same topics: the status of a connection
/// (<c>since</c> names the connection: its online document and its offline will share it) and the
/// reported twin.
/// </summary>
internal sealed class SignedDocuments(GatewayIdentity identity, IOptions<GatewayOptions> gateway, TimeProvider time)
{
    public byte[] Status(bool online, DateTimeOffset since)
    {
        var doc = new JsonObject
        {
            ["gw"] = gateway.Value.Name,
            ["site"] = gateway.Value.Site,
            ["online"] = online,
            ["since"] = EtpTime.Format(since),
            ["ts"] = EtpTime.Format(time.GetUtcNow()),
            ["software"] = ChainBook.Software,
        };
        return GatewayDocument.Seal(System.Text.Encoding.UTF8.GetBytes(doc.ToJsonString()), identity.Key);
    }

    public byte[] Reported(ReadOnlySpan<byte> document) => GatewayDocument.Seal(document, identity.Key);
}
