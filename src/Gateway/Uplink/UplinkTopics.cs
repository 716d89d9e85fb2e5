namespace EdgeTwin.Gateway.Uplink;

using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Options;

/// <summary>The topics of PROTOCOL §2 for this gateway: <c>{prefix}/{site}/{gw}/...</c>.</summary>
internal sealed class UplinkTopics(IOptions<GatewayOptions> gateway, IOptions<UplinkOptions> uplink)
{
    public string Base { get; } = $"{uplink.Value.TopicPrefix}/{gateway.Value.Site}/{gateway.Value.Name}";

    public string Status => Of("status");

    public string Receipt => Of("receipt");

    public string Resend => Of("resend");

    public string Records(Lane lane) => Of(WireNames.Of(lane));

    /// <summary>
    /// The uplink's receive-path probe (<see cref="EdgeTwin.Mqtt.ReceiveProbe"/>): <c>{prefix}/gateway.probe/{gw}</c>,
    /// outside the PROTOCOL §2 topics (a level with a dot is no site name), so neither the ingest's
    /// filters nor another gateway's ACL pattern reach it.
    /// </summary>
    public string Probe { get; } = $"{uplink.Value.TopicPrefix}/{WireNames.GatewayProbeLevel}/{gateway.Value.Name}";

    public string Of(string subtopic) => $"{Base}/{subtopic}";
}
