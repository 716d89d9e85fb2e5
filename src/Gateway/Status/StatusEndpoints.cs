namespace EdgeTwin.Gateway.Status;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Telemetry.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

/// <summary>The loopback status page: <c>GET /status</c> (JSON) and <c>GET /metrics</c> (Prometheus text).</summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapGatewayStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", (ChainBook book, MqttUplink uplink, IOptions<GatewayOptions> options) =>
        {
            object Lane(Lane lane)
            {
                var head = book.Head(lane);
                var usage = book.Store.Usage(lane);
                return new { epoch = head.Epoch, seq = head.Seq, hash = head.Hash, storedRecords = usage.Records, storedBytes = usage.Bytes };
            }

            return Results.Json(new
            {
                gw = options.Value.Name,
                site = options.Value.Site,
                software = ChainBook.Software,
                connected = uplink.IsConnected,
                inFlight = uplink.InFlight,
                live = uplink.Queue.LiveCount,
                backlog = uplink.Queue.BacklogCount,
                quarantined = book.Quarantined,
                lanes = new { telemetry = Lane(EdgeTwin.Telemetry.Records.Lane.Telemetry), alarm = Lane(EdgeTwin.Telemetry.Records.Lane.Alarm) },
            });
        });
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Render(), "text/plain; version=0.0.4"));
        return app;
    }
}
