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

    public string Of(string subtopic) => $"{Base}/{subtopic}";
}
