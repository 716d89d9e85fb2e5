namespace EdgeTwin.Ingest.Api;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Access;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Fhir;
using EdgeTwin.Ingest.Identity;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Twin;
using EdgeTwin.Telemetry.Wire;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

/// <summary>
/// The read-only HTTP API (issue 7). Everything it serves about data is verified data. Each route
/// names the role that reads it (docs/ingest.md "Access"); reads of patient data are access-logged.
/// </summary>
internal static class IngestApi
{
    private static readonly JsonSerializerOptions FhirJson = new JsonSerializerOptions().ForFhir();

    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/chains", async (IIngestStore store, CancellationToken ct) =>
            Results.Json(new JsonArray((await store.ChainsAsync(null, ct).ConfigureAwait(false)).Select(ChainJson.From).ToArray<JsonNode?>())))
            .RequireAuthorization(IngestPolicies.Operator);

        app.MapGet("/api/twins/{gw}", async (string gw, CloudTwinReader twins, CancellationToken ct) =>
            !WireNames.IsName(gw) ? Problem($"'{gw}' is not a gateway name ({WireNames.NameRule})")
            : await twins.GatewayAsync(gw, ct).ConfigureAwait(false) is { } twin ? Results.Json(twin)
            : Results.NotFound(new JsonObject { ["error"] = $"no gateway '{gw}'" }))
            .Discloses(IngestPolicies.Clinician, Disclosure.OfGateway());

        app.MapGet("/api/patients/{pseudonym}/twin", async (string pseudonym, CloudTwinReader twins, CancellationToken ct) =>
            await twins.PatientAsync(pseudonym, ct).ConfigureAwait(false) is { } twin ? Results.Json(twin)
            : Results.NotFound(new JsonObject { ["error"] = $"no verified data for patient '{pseudonym}'" }))
            .Discloses(IngestPolicies.Clinician, Disclosure.OfPatient());

        app.MapGet("/api/patients/{pseudonym}/observations", async (string pseudonym, string? since, ObservationBundleBuilder fhir, CancellationToken ct) =>
        {
            DateTimeOffset? from = null;
            if (since is not null)
            {
                if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return Problem($"since '{since}' is not an RFC 3339 time");
                }

                from = parsed;
            }

            var bundle = await fhir.BuildAsync(pseudonym, from, ct).ConfigureAwait(false);
            return Results.Text(JsonSerializer.Serialize(bundle, FhirJson), "application/fhir+json");
        }).Discloses(IngestPolicies.Clinician, Disclosure.OfPatient());

        app.MapGet("/api/alarms", async (string? gw, int? limit, AlarmsOutReader alarms, CancellationToken ct) =>
            gw is not null && !WireNames.IsName(gw) ? Problem($"'{gw}' is not a gateway name ({WireNames.NameRule})")
            : limit is < 1 or > 10_000 ? Problem("limit must be 1..10000")
            : Results.Json(await alarms.AlarmsAsync(gw, limit ?? 100, ct).ConfigureAwait(false)))
            .Discloses(IngestPolicies.Clinician, Disclosure.OfGateway());

        app.MapGet("/api/alarms/{alertId}", async (string alertId, AlarmsOutReader alarms, CancellationToken ct) =>
            await alarms.AlarmAsync(alertId, ct).ConfigureAwait(false) is { } alarm ? Results.Json(alarm)
            : Results.NotFound(new JsonObject { ["error"] = $"no alarm '{alertId}'" }))
            .Discloses(IngestPolicies.Clinician, Disclosure.OfAll());

        app.MapGet("/api/alerts", async (long? after, int? limit, IIngestStore store, CancellationToken ct) =>
        {
            if (limit is < 1 or > 10_000)
            {
                return Problem("limit must be 1..10000");
            }

            var alerts = await store.AlertsAsync(after ?? 0, limit ?? 1000, ct).ConfigureAwait(false);
            return Results.Json(alerts.Select(a => new { id = a.Id, at = a.At, kind = a.Kind, gw = a.Gw, lane = a.Lane, epoch = a.Epoch, seq = a.Seq, detail = a.Detail }));
        }).RequireAuthorization(IngestPolicies.Operator);

        app.MapGet("/api/evidence", async (int? limit, IIngestStore store, CancellationToken ct) =>
        {
            var rows = await store.EvidenceAsync(Math.Clamp(limit ?? 1000, 1, 10_000), ct).ConfigureAwait(false);
            return Results.Json(rows.Select(e => new
            {
                id = e.Id, at = e.At, topic = e.Topic, gw = e.Gw, problem = e.Problem, b64 = Convert.ToBase64String(e.Payload),
                size = e.Size, sha256 = e.Sha256, truncated = e.Truncated,
            }));
        }).Discloses(IngestPolicies.Auditor, Disclosure.OfAll());

        // The address gateways enrol as Uplink:ReceiptSigners; never the key.
        // Open: a public address a technician copies into a gateway's configuration, nothing more.
        app.MapGet("/api/identity", (IngestIdentity identity) => Results.Json(new JsonObject { ["address"] = identity.Address })).AllowAnonymous();

        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        return app;
    }

    private static IResult Problem(string detail) => Results.BadRequest(new JsonObject { ["error"] = detail });
}
