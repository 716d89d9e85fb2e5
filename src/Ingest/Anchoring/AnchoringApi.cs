namespace EdgeTwin.Ingest.Anchoring;

using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Access;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Telemetry.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

/// <summary>Proofs and anchors over HTTP (docs/anchoring.md).</summary>
internal static class AnchoringApi
{
    public static IEndpointRouteBuilder MapAnchoringApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/proofs/{gw}/{lane}/{epoch}/{seq:long}", async (string gw, string lane, string epoch, long seq, ProofBuilder proofs, CancellationToken ct) =>
        {
            if (!WireNames.IsName(gw) || lane is not (WireNames.Telemetry or WireNames.Alarm) || epoch.Length != 32 || !epoch.All(char.IsAsciiHexDigitLower))
            {
                return Results.BadRequest(new JsonObject { ["error"] = $"not a chain: gw {WireNames.NameRule}, lane telemetry or alarm, epoch 32 lowercase hex digits" });
            }

            var (proof, status, problem) = await proofs.BuildAsync(new ChainId(gw, lane, epoch), seq, ct).ConfigureAwait(false);
            return proof is not null ? Results.Text(proof.ToJson(), "application/json")
                : Results.Json(new JsonObject { ["error"] = problem }, statusCode: status);
        }).Discloses(IngestPolicies.ClinicianOrOperator, Disclosure.OfGateway());

        app.MapGet("/api/anchors", async (int? limit, IIngestStore store, CancellationToken ct) =>
        {
            var rows = await ((IAnchorStore)store).AnchorsAsync(Math.Clamp(limit ?? 100, 1, 10_000), ct).ConfigureAwait(false);
            return Results.Json(rows.Select(a => new
            {
                index = a.Index, root = a.Root, firstLeaf = a.FirstLeaf, treeSize = a.TreeSize, previousRoot = a.PreviousRoot,
                preparedAt = a.PreparedAt, chainId = a.ChainId, contract = a.Contract, tx = a.Tx, block = a.Block, anchoredAt = a.AnchoredAt,
            }));
        }).RequireAuthorization(IngestPolicies.Operator);

        return app;
    }
}
