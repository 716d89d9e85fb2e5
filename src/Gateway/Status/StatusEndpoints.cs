namespace EdgeTwin.Gateway.Status;

using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Status.Document;
using EdgeTwin.Gateway.Twin;
using EdgeTwin.Gateway.Twin.Reported;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

/// <summary>
/// The status address's open part: <c>GET /status</c> (JSON), <c>GET /metrics</c> (Prometheus text)
/// and the box page. Nothing here names a patient or changes anything, so scrapers need no token;
/// the twin and the bedside commands are behind the admin token (<c>TwinEndpoints</c>).
/// </summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapGatewayStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", (ChainBook book, MqttUplink uplink, IOptions<GatewayOptions> options, StorageHealth storage, IFreeSpace space,
            IOptions<OutboxOptions> outbox, IAnnunciator annunciator, StorageReserve reserve, TwinController twin, HttpContext context) =>
        {
            LaneStatus Lane(Lane lane)
            {
                var head = book.Head(lane);
                var usage = book.Store.Usage(lane);
                var counts = book.Store.Counts(lane);
                return new(head.Epoch, head.Seq, head.Hash, usage.Records, usage.Bytes,
                    counts is { } c ? new ChainedStatus(c.Epoch, c.FromSeq, c.ThroughSeq, c.ObsRecords, c.Samples) : null);
            }

            return Results.Json(
                new StatusDocument(
                    options.Value.Name,
                    options.Value.Site,
                    ChainBook.Software,
                    uplink.IsConnected,
                    uplink.InFlight,
                    uplink.Queue.LiveCount,
                    uplink.Queue.BacklogCount,
                    book.Quarantined,
                    new LanesStatus(Lane(EdgeTwin.Telemetry.Records.Lane.Telemetry), Lane(EdgeTwin.Telemetry.Records.Lane.Alarm)),
                    annunciator.Level.ToString().ToLowerInvariant(),
                    Storage(book, storage, space, outbox.Value, reserve),
                    ReportedDocument.Devices(twin.Twin.Snapshot(), twin.Twin.Control),
                    context.RequestServices.GetService<IModelStatusSource>()?.Status is { } model ? ReportedDocument.Model(model) : null,
                    new OldestUnreceipted(
                        uplink.Statements.OldestUnreceiptedAge(EdgeTwin.Telemetry.Records.Lane.Telemetry).TotalSeconds,
                        uplink.Statements.OldestUnreceiptedAge(EdgeTwin.Telemetry.Records.Lane.Alarm).TotalSeconds)),
                StatusJsonContext.Default.StatusDocument);
        });
        app.MapBoxPage();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>What the technician needs on a full disk: full since when and why, the filesystem against its floor, the reserve.</summary>
    private static StorageStatus Storage(ChainBook book, StorageHealth storage, IFreeSpace space, OutboxOptions outbox, StorageReserve reserve)
    {
        var fs = space.Measure(book.Store.Directory);
        return new(storage.Full, storage.FullSince, storage.Reason, storage.Episodes, fs?.Available, fs?.Total,
            fs is { } f ? outbox.FloorBytes(f.Total) : null, reserve.HeldBytes, reserve.Releases);
    }
}
