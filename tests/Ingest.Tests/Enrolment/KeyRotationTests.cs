namespace EdgeTwin.Ingest.Tests.Enrolment;

using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using static EdgeTwin.Ingest.Tests.Processing.ProcessorHarness;

/// <summary>
/// Issue 14, gateway key rotation in place, at the batch processor: the ingest follows a rotation the
/// enrolled key signed, refuses one any other key signed, and takes nothing of the sealed chain past
/// its seal.
/// </summary>
public sealed class KeyRotationTests
{
    private static readonly CheckpointPolicy EveryFive = new() { MaxRecords = 5, MaxDelay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task LinkSignedByAnotherKey_Refused_LinkSignedByTheEnrolledKey_Followed_SealedChainVerifiedToItsLastRecord_NothingAfterItTaken()
    {
        using var g = new SimulatedGateway("ward7", "rot-1", T0, policy: EveryFive);
        await using var h = await CreateAsync(g);
        g.ProduceObs(8, T0);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));
        using var next = GatewayKey.Generate();
        using var forger = GatewayKey.Generate();

        // The old chain is sealed: the key-rotation event naming the new key, and the checkpoint covering it.
        var ev = g.Telemetry.AppendEvent(KeyRotationLink.EventType, new JsonObject { ["key"] = next.Address }, T0, ClockQuality.Synced);
        var seal = g.Telemetry.Checkpoint(T0, ClockQuality.Synced)!;

        // A genesis under a new key whose link someone else signed changes nothing.
        var forgedLink = KeyRotationLink.Sign(g.Telemetry.State, next.Address, forger);
        ChainWriter.StartNew(g.Gw, Lane.Telemetry, next, EveryFive, GenesisReason.KeyRotation, "sim-2", T0, ClockQuality.Synced, out var forgedGenesis, rotation: forgedLink);
        var refused = await h.SendAsync(g, [forgedGenesis]);
        Assert.Single(refused.Alerts, a => a.Kind == AlertKind.BadKeyRotation);
        var evidence = Assert.Single(await h.Store.EvidenceAsync(100, default));
        Assert.Equal($"{AlertKind.BadKeyRotation}: the link is signed by {forger.Address}, not by the key in force for 'rot-1' ({g.Key.Address})", evidence.Problem);
        Assert.DoesNotContain(await h.Store.ChainsAsync(g.Gw, default), c => c.Id.Epoch == forgedGenesis.Epoch && c.Received > 0);

        // The genuine rotation: the old key's link; the new chain goes on under the new key.
        var writer = ChainWriter.StartNew(g.Gw, Lane.Telemetry, next, EveryFive, GenesisReason.KeyRotation, "sim-2", T0, ClockQuality.Synced, out var genesis,
            rotation: KeyRotationLink.Sign(g.Telemetry.State, next.Address, g.Key));
        var fresh = new List<ChainRecord> { genesis };
        for (var i = 0; i < 6; i++)
        {
            fresh.Add(writer.AppendObs(new ObsBody(g.Patient, "rot-1-mon", "loinc:8867-4", "/min", T0, 0, [70 + i]), T0, ClockQuality.Synced));
            if (writer.CheckpointIfDue(T0, ClockQuality.Synced) is { } cp)
            {
                fresh.Add(cp);
            }
        }

        // The new chain first, the sealed chain's end after it: the order the uplink happens to deliver them in.
        var followed = await h.SendAsync(g, fresh);
        var rotated = Assert.Single(followed.Alerts, a => a.Kind == AlertKind.KeyRotated);
        Assert.Equal($"gateway 'rot-1' rotated its key from {g.Key.Address} to {next.Address}: telemetry epoch {seal.Epoch} sealed at seq {seal.Seq}, epoch {genesis.Epoch} goes on under the new key; enrol the new address (Ingest:EnrolmentFile)", rotated.Detail);
        await h.SendAsync(g, [ev, seal]);
        var chains = await h.Store.ChainsAsync(g.Gw, default);
        var old = chains.Single(c => c.Id.Epoch == seal.Epoch);
        Assert.Equal((seal.Seq, seal.Seq, 0L), (old.VerifiedThrough, old.ReceiptedThrough, old.Pending));
        Assert.Equal(4, chains.Single(c => c.Id.Epoch == genesis.Epoch).VerifiedThrough); // the checkpoint at 5 covers 0..4

        // The old key extends its sealed chain: nothing of it is taken.
        var extra = new List<ChainRecord> { g.Telemetry.AppendObs(new ObsBody(g.Patient, "rot-1-mon", "loinc:8867-4", "/min", T0, 0, [99]), T0, ClockQuality.Synced) };
        extra.Add(g.Telemetry.Checkpoint(T0, ClockQuality.Synced)!);
        var cut = await h.SendAsync(g, extra);
        Assert.Single(cut.Alerts, a => a.Kind == AlertKind.KeyCutOff);
        var after = (await h.Store.ChainsAsync(g.Gw, default)).Single(c => c.Id.Epoch == seal.Epoch);
        Assert.Equal(seal.Seq, after.VerifiedThrough);
        Assert.All((await h.Store.EvidenceAsync(100, default)).Where(e => e.Chain?.Epoch == seal.Epoch),
            e => Assert.Equal($"{EnrolmentProblems.KeyCutOff}: the chain was handed over to {next.Address} at seq {seal.Seq} (key rotation); nothing after it is taken", e.Problem));
    }

    [Fact]
    public async Task OneLanesLinkArrived_TheOtherLanesOldChainStillTaken_UntilItsOwnLinkSealsIt()
    {
        using var g = new SimulatedGateway("ward7", "rot-3", T0, policy: EveryFive);
        await using var h = await CreateAsync(g);
        await h.SendAsync(g, g.All.Concat(g.ProduceAlarm(T0)));
        Assert.Equal(1, (await h.ChainAsync(g, Lane.Alarm)).VerifiedThrough);
        using var next = GatewayKey.Generate();
        g.Telemetry.AppendEvent(KeyRotationLink.EventType, new JsonObject { ["key"] = next.Address }, T0, ClockQuality.Synced);
        g.Telemetry.Checkpoint(T0, ClockQuality.Synced);
        ChainWriter.StartNew(g.Gw, Lane.Telemetry, next, EveryFive, GenesisReason.KeyRotation, "sim-2", T0, ClockQuality.Synced, out var genesis,
            rotation: KeyRotationLink.Sign(g.Telemetry.State, next.Address, g.Key));
        Assert.Single((await h.SendAsync(g, [genesis])).Alerts, a => a.Kind == AlertKind.KeyRotated);

        // The alarm lane's old chain (its link not here yet) raised one more alarm before the box restarted.
        var result = await h.SendAsync(g, g.ProduceAlarm(T0));

        Assert.DoesNotContain(result.Alerts, a => a.Kind == AlertKind.KeyCutOff);
        Assert.Equal(3, (await h.ChainAsync(g, Lane.Alarm)).VerifiedThrough);
    }

    [Fact]
    public async Task KeyRotationGenesisWithoutALink_RefusedWithTheReason()
    {
        using var g = new SimulatedGateway("ward7", "rot-2", T0, policy: EveryFive);
        await using var h = await CreateAsync(g);
        using var next = GatewayKey.Generate();
        var link = KeyRotationLink.Sign(g.Telemetry.State, next.Address, g.Key);
        ChainWriter.StartNew(g.Gw, Lane.Telemetry, next, EveryFive, GenesisReason.KeyRotation, "sim-2", T0, ClockQuality.Synced, out var genesis, rotation: link);
        var stripped = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(genesis.Payload).Replace(",\"rotation\":{", ",\"rotated\":{", StringComparison.Ordinal));

        var result = await h.SendRawAsync(SimulatedGateway.Topic("edgetwin/v1", g.Site, g.Gw, Lane.Telemetry), stripped);

        Assert.Single(result.Alerts, a => a.Kind == AlertKind.BadKeyRotation);
        Assert.Equal($"{AlertKind.BadKeyRotation}: a key-rotation genesis carries no rotation link", Assert.Single(await h.Store.EvidenceAsync(100, default)).Problem);
    }
}
