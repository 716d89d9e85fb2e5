namespace EdgeTwin.Gateway.Status;

using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Outbox;
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
            object Lane(Lane lane)
            {
                var head = book.Head(lane);
                var usage = book.Store.Usage(lane);
                var counts = book.Store.Counts(lane);
                return new
                {
                    epoch = head.Epoch, seq = head.Seq, hash = head.Hash, storedRecords = usage.Records, storedBytes = usage.Bytes,
                    chained = counts is { } c ? new { epoch = c.Epoch, fromSeq = c.FromSeq, throughSeq = c.ThroughSeq, obsRecords = c.ObsRecords, samples = c.Samples } : null,
                };
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
                annunciation = annunciator.Level.ToString().ToLowerInvariant(),
                storage = Storage(book, storage, space, outbox.Value, reserve),
                devices = ReportedDocument.Devices(twin.Twin.Snapshot(), twin.Twin.Control),
                model = context.RequestServices.GetService<IModelStatusSource>()?.Status is { } model ? ReportedDocument.Model(model) : null,
                oldestUnreceiptedSeconds = new
                {
                    telemetry = uplink.Statements.OldestUnreceiptedAge(EdgeTwin.Telemetry.Records.Lane.Telemetry).TotalSeconds,
                    alarm = uplink.Statements.OldestUnreceiptedAge(EdgeTwin.Telemetry.Records.Lane.Alarm).TotalSeconds,
                },
            });
        });
        app.MapBoxPage();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>What the technician needs on a full disk: full since when and why, the filesystem against its floor, the reserve.</summary>
    private static object Storage(ChainBook book, StorageHealth storage, IFreeSpace space, OutboxOptions outbox, StorageReserve reserve)
    {
        var fs = space.Measure(book.Store.Directory);
        return new
        {
            full = storage.Full,
            fullSince = storage.FullSince,
            reason = storage.Reason,
            episodes = storage.Episodes,
            freeBytes = fs?.Available,
            totalBytes = fs?.Total,
            floorBytes = fs is { } f ? outbox.FloorBytes(f.Total) : (long?)null,
            reserveBytes = reserve.HeldBytes,
            reserveReleases = reserve.Releases,
        };
    }
}
