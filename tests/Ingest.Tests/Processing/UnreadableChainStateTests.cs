namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using static ProcessorHarness;

/// <summary>
/// A chain row whose stored verifier state cannot be read (a corrupt row, a bug) refuses that chain's
/// records, visibly, and does not fail the batch: before, every batch holding one of its records failed
/// and was retried for ever, stalling every gateway that shared those batches.
/// </summary>
public sealed class UnreadableChainStateTests
{
    private static readonly CheckpointPolicy Every5 = new() { MaxRecords = 5, MaxDelay = TimeSpan.FromHours(1) };

    [Theory]
    [InlineData("not-a-state")]
    [InlineData("json-without-held")]
    public async Task UnreadableState_ItsRecordsAreEvidenceWithOneAlert_TheStateIsLeftAsItIs_AndTheBatchsOtherGatewayIsVerified(string how)
    {
        using var a = new SimulatedGateway("ward7", "bed-1", T0, policy: Every5);
        using var b = new SimulatedGateway("ward7", "bed-2", T0, policy: Every5);
        await using var h = await CreateAsync(a, b);
        a.ProduceObs(4, T0);
        await h.SendAsync(a, a.All.Where(r => r.Lane == Lane.Telemetry));
        var chain = await h.ChainAsync(a, Lane.Telemetry);
        // Bytes that are no state; or the JSON an ingest before 2026-12 stored, without its held records
        // (it decoded, and the import then failed on the missing list: the batch retried for ever).
        var json = System.Text.Json.JsonSerializer.SerializeToNode(chain.DecodeState())!.AsObject();
        json.Remove("Held");
        var corrupt = how == "not-a-state" ? [0xde, 0xad, 0xbe, 0xef] : System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        await h.Store.WriteAsync([chain.Id], "ward7", s => { s.SetChain(s.Chain(chain.Id) with { VerifierState = corrupt }); return Task.FromResult(0); }, default);

        var before = a.All.Count(r => r.Lane == Lane.Telemetry);
        a.ProduceObs(6, T0);
        b.ProduceObs(8, T0);
        var fromA = a.All.Where(r => r.Lane == Lane.Telemetry).Skip(before).ToList();
        var batch = fromA.Select(r => Message(a, r)).Concat(b.All.Where(r => r.Lane == Lane.Telemetry).Select(r => Message(b, r))).ToList();

        var result = await h.Processor.ProcessAsync(batch, default);

        Assert.Equal(fromA.Count, result.EvidenceByProblem[AlertKind.ChainStateUnreadable]);
        var alert = Assert.Single(result.Alerts, x => x.Kind == AlertKind.ChainStateUnreadable);
        Assert.Equal((a.Gw, chain.Id.Epoch), (alert.Gw, alert.Epoch));
        Assert.Contains("cannot be read", alert.Detail, StringComparison.Ordinal);
        var after = await h.ChainAsync(a, Lane.Telemetry);
        Assert.Equal(corrupt, after.VerifierState);
        Assert.Equal((chain.Received, chain.VerifiedThrough), (after.Received, after.VerifiedThrough));
        Assert.Equal(fromA.Count, after.Rejected - chain.Rejected);

        var other = await h.ChainAsync(b, Lane.Telemetry);
        Assert.Equal(4, other.VerifiedThrough); // seq 5, its first checkpoint, covers 0-4
        Assert.Contains(result.Receipts, r => r.Gw == b.Gw);
        Assert.DoesNotContain(result.Receipts, r => r.Gw == a.Gw);
    }
}
