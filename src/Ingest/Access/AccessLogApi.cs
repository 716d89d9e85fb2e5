namespace EdgeTwin.Ingest.Access;

using System.Globalization;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

/// <summary><c>GET /api/access-log?patient=&amp;since=&amp;limit=</c>: the accounting of disclosures, for the auditor.</summary>
internal static class AccessLogApi
{
    public static IEndpointRouteBuilder MapAccessLog(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/access-log", async (string? patient, string? since, int? limit, IIngestStore store, CancellationToken ct) =>
        {
            DateTimeOffset? from = null;
            if (since is not null)
            {
                if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return Results.BadRequest(new JsonObject { ["error"] = $"since '{since}' is not an RFC 3339 time" });
                }

                from = parsed;
            }

            if (limit is < 1 or > 10_000)
            {
                return Results.BadRequest(new JsonObject { ["error"] = "limit must be 1..10000" });
            }

            var rows = await ((IAccessLogStore)store).AccessAsync(patient, from, limit ?? 1000, ct).ConfigureAwait(false);
            return Results.Json(rows.Select(r => new { id = r.Id, at = r.At, subject = r.Subject, roles = r.Roles, route = r.Route, path = r.Path, patient = r.Patient, gw = r.Gw, status = r.Status }));
        }).RequireAuthorization(IngestPolicies.Auditor);
        return app;
    }
}
