namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using static ProcessorHarness;

public sealed class BatchProcessorTests
{
    private static readonly CheckpointPolicy Manual = new() { MaxRecords = 10_000, MaxDelay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task InOrderChain_IsStoredVerifiedAndReceiptedThroughTheCheckpoint()
    {
        using var g = new SimulatedGateway("ward7", "bed-1", T0, policy: new CheckpointPolicy { MaxRecords = 5, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        g.ProduceObs(8, T0);

        var result = await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));

        // seq 0 genesis, 1-4 obs, 5 checkpoint (covers 0..4), 6-9 obs: verified through 4.
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((10L, 4L, 4L), (chain.Received, chain.VerifiedThrough, chain.ReceiptedThrough));
        var receipt = Assert.Single(result.Receipts);
        Assert.Equal(("ward7", "bed-1", "telemetry", g.Telemetry.State.Epoch, 4L), (receipt.Site, receipt.Gw, receipt.Lane, receipt.Epoch, receipt.Seq));
        Assert.Equal(g.All.Single(r => r.Lane == Lane.Telemetry && r.Seq == 4).Hash, receipt.Hash);
        Assert.Equal(10, await h.Store.RecordCountAsync(default));
        Assert.Equal([AlertKind.NewEpoch], result.Alerts.Select(a => a.Kind));
        Assert.Contains("first-start", result.Alerts[0].Detail, StringComparison.Ordinal);
        Assert.Equal("first-start", chain.GenesisReason);
        Assert.Equal(T0, chain.LastCheckpointAt);
    }

    [Fact]
    public async Task AStrangersGenesisNamingTheGatewaysAddress_RaisesNoNewEpochAlert_NorSetsAReason()
    {
        // A genesis is signed by nothing but the checkpoints that will cover it: anyone on the broker can
        // publish one for an epoch of their own making that names the gateway's (public) address and says its
        // store was corrupt. Until a checkpoint of the gateway's key covers it, that is only a claim.
        using var g = new SimulatedGateway("ward7", "bed-claim", T0, policy: new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        using var stranger = GatewayKey.Generate();
        var w = ChainWriter.StartNew(g.Gw, Lane.Telemetry, new NamesAnotherAddress(g.Key.Address, stranger), new CheckpointPolicy { MaxRecords = 100 }, GenesisReason.StoreCorrupt, "1.0", T0, ClockQuality.Synced, out var genesis);
        var obs = w.AppendObs(new ObsBody(g.Patient, $"{g.Gw}-mon", "loinc:8867-4", "/min", T0, 0, [72]), T0, ClockQuality.Synced);

        var result = await h.SendAsync(g, [genesis, obs]);

        Assert.Empty(result.Alerts);
        var chain = Assert.Single(await h.Store.ChainsAsync(g.Gw, default));
        Assert.Equal((2L, -1L, (string?)null), (chain.Received, chain.VerifiedThrough, chain.GenesisReason));
        Assert.Empty(await h.Store.AlertsAsync(0, 100, default));
    }

    [Fact]
    public async Task AGenesisVerifiedInALaterBatch_RaisesNewEpochThen_WithTheStoredGenesisReason()
    {
        using var g = new SimulatedGateway("ward7", "bed-later", T0, policy: Manual);
        await using var h = await CreateAsync(g);
        g.ProduceObs(2, T0);

        var first = await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry)); // genesis and two obs: nothing covers them
        var second = await h.SendAsync(g, [Assert.Single(g.Seal(T0), r => r.Lane == Lane.Telemetry)]);

        Assert.Empty(first.Alerts);
        var alert = Assert.Single(second.Alerts);
        Assert.Equal((AlertKind.NewEpoch, "new epoch, reason: first-start"), (alert.Kind, alert.Detail));
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((2L, "first-start"), (chain.VerifiedThrough, chain.GenesisReason));
    }

    [Fact]
    public async Task AStrangersRecordOnTopOfTheChainAfterEveryCheckpoint_RaisesItsAlertsOnceAMinute_TheCountsStayExact()
    {
        // Anyone on the broker can publish, after each of the gateway's checkpoints, a record at the next seq that
        // links to nothing: a broken link until the gateway's next checkpoint shows it an unsigned branch record.
        using var g = new SimulatedGateway("ward7", "bed-noise", T0, policy: Manual);
        await using var h = await CreateAsync(g);
        using var stranger = GatewayKey.Generate();
        ChainRecord Checkpoint() => Assert.Single(g.Seal(T0), r => r.Lane == Lane.Telemetry);
        g.ProduceObs(1, T0);
        Checkpoint();
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry)); // 0 genesis, 1 obs, 2 checkpoint
        var kinds = new List<string>();
        async Task RoundAsync(int round)
        {
            var top = g.Telemetry.State;
            var junk = ChainWriter.Resume(new ChainState(g.Gw, Lane.Telemetry, top.Epoch, top.Seq, new string((char)('a' + round), 64), 0, null), stranger, Manual)
                .AppendObs(new ObsBody(g.Patient, $"{g.Gw}-mon", "loinc:8867-4", "/min", T0, 0, [200 + round]), T0, ClockQuality.Synced);
            kinds.AddRange((await h.SendAsync(g, [junk])).Alerts.Select(a => a.Kind));
            var genuine = g.ProduceObs(2, T0).Append(Checkpoint()).ToList();
            kinds.AddRange((await h.SendAsync(g, genuine)).Alerts.Select(a => a.Kind));
        }

        for (var round = 0; round < 5; round++)
        {
            await RoundAsync(round);
        }

        Assert.Equal((1, 1), (kinds.Count(k => k == AlertKind.BrokenLink), kinds.Count(k => k == AlertKind.UnsignedBranch)));
        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal((5L, 0L, g.Telemetry.State.Seq - 1), (chain.UnsignedBranch, chain.BrokenLinks, chain.VerifiedThrough));

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await RoundAsync(5);
        Assert.Equal((2, 2), (kinds.Count(k => k == AlertKind.BrokenLink), kinds.Count(k => k == AlertKind.UnsignedBranch)));
        Assert.Equal(6L, (await h.ChainAsync(g, Lane.Telemetry)).UnsignedBranch);
    }

    [Fact]
    public async Task ShuffledAndRepeated_StoresEachRecordOnce_AndVerifiesAll()
    {
        using var g = new SimulatedGateway("ward7", "bed-2", T0, policy: new CheckpointPolicy { MaxRecords = 7, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        g.ProduceObs(40, T0);
        g.Seal(T0);
        var records = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        var shuffled = records.Concat(records.Take(10)).OrderBy(r => (r.Seq * 7919) % 31).ToList();

        // In three batches, as several MQTT batches would be.
        for (var i = 0; i < shuffled.Count; i += 20)
        {
            await h.SendAsync(g, shuffled.Skip(i).Take(20));
        }

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal(records.Count, await h.Store.RecordCountAsync(default));
        Assert.Equal(records[^1].Seq - 1, chain.VerifiedThrough);
        Assert.Equal((10L, 0L, 0L), (chain.Duplicates, chain.Forks, chain.Missing));
    }

    [Fact]
    public async Task ChainState_SurvivesARestart_InTheMiddleOfAChain()
    {
        using var g = new SimulatedGateway("ward7", "bed-3", T0, policy: new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        g.ProduceObs(20, T0);
        var records = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        await h.SendAsync(g, records.Take(9));
        await h.RestartAsync();
        var result = await h.SendAsync(g, records.Skip(9));

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal(records.Last(r => r.Kind == "checkpoint").Seq - 1, chain.VerifiedThrough);
        Assert.Equal(0, chain.BrokenLinks);
        Assert.Equal(chain.VerifiedThrough, Assert.Single(result.Receipts).Seq);
    }

    [Fact]
    public async Task UnenrolledGateway_IsEvidenceOnly_WithAnAlert()
    {
        using var g = new SimulatedGateway("ward7", "stranger", T0);
        await using var h = await CreateAsync();
        g.ProduceObs(3, T0);
        var result = await h.SendAsync(g, g.All);

        Assert.Equal(0, await h.Store.RecordCountAsync(default));
        Assert.Empty(await h.Store.ChainsAsync(null, default));
        Assert.Equal(g.All.Count, (await h.Store.EvidenceAsync(100, default)).Count);
        Assert.All(result.Alerts, a => Assert.Equal(AlertKind.UnenrolledGateway, a.Kind));
        Assert.Empty(result.Receipts);
    }

    [Fact]
    public async Task OtherSigner_ForAnEnrolledName_IsEvidenceNeverData()
    {
        using var enrolled = new SimulatedGateway("ward7", "bed-4", T0);
        using var impostor = new SimulatedGateway("ward7", "bed-4", T0, policy: new CheckpointPolicy { MaxRecords = 3, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(enrolled);
        impostor.ProduceObs(6, T0);
        var first = await h.SendAsync(impostor, impostor.All.Take(4));
        var second = await h.SendAsync(impostor, impostor.All.Skip(4));

        Assert.Equal(0, await h.Store.RecordCountAsync(default));
        Assert.Equal(impostor.All.Count, (await h.Store.EvidenceAsync(100, default)).Count);
        Assert.Contains(first.Alerts.Concat(second.Alerts), a => a.Kind == AlertKind.UnenrolledSigner);
        Assert.Empty(first.Receipts.Concat(second.Receipts));
        Assert.All(await h.Store.ChainsAsync("bed-4", default), c => Assert.Equal(-1, c.VerifiedThrough));
    }

    [Fact]
    public async Task ForgedCheckpoint_RaisesBadSignature_AndTheGenuineRecordIsWhatBecomesData()
    {
        using var g = new SimulatedGateway("ward7", "bed-5", T0, policy: Manual);
        using var forger = GatewayKey.Generate();
        await using var h = await CreateAsync(g);
        g.ProduceObs(3, T0);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));
        var forged = Tamper.ForgeCheckpoint(g.Telemetry, forger, T0);

        var injected = await h.SendAsync(g, [forged]);
        Assert.Contains(injected.Alerts, a => a.Kind == AlertKind.BadSignature);
        Assert.Empty(injected.Receipts);

        // The gateway goes on: its own checkpoint at that seq, more obs, another checkpoint.
        var genuine = g.Telemetry.Checkpoint(T0, ClockQuality.Synced)!;
        Assert.Equal(forged.Seq, genuine.Seq);
        var more = g.ProduceObs(2, T0);
        var last = g.Telemetry.Checkpoint(T0, ClockQuality.Synced)!;
        var result = await h.SendAsync(g, [genuine, .. more, last]);

        var chain = await h.ChainAsync(g, Lane.Telemetry);
        Assert.Equal(last.Seq - 1, chain.VerifiedThrough);
        var data = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default);
        var expected = g.All.Where(r => r.Lane == Lane.Telemetry).Append(genuine).Append(last).Where(r => r.Seq < last.Seq).OrderBy(r => r.Seq);
        Assert.Equal(expected.Select(r => r.Hash), data.Select(r => r.Hash));
        Assert.DoesNotContain(data, r => r.Hash == forged.Hash);
        Assert.Contains(await h.Store.EvidenceAsync(100, default), e => e.Hash == forged.Hash);
        Assert.Equal(last.Seq - 1, Assert.Single(result.Receipts).Seq);
    }

    [Fact]
    public async Task ChangedByte_AfterTheOriginal_IsAForkAndEvidence()
    {
        using var g = new SimulatedGateway("ward7", "bed-6", T0, policy: new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        g.ProduceObs(6, T0);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));
        var victim = g.All.First(r => r.Kind == "obs");
        var result = await h.Processor.ProcessAsync([Message(g, victim, Tamper.ChangeOneByte(victim.Payload))], default);

        Assert.Equal(AlertKind.Fork, Assert.Single(result.Alerts).Kind);
        var stored = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default);
        Assert.Equal(victim.Hash, stored.Single(r => r.Seq == victim.Seq).Hash);
        Assert.Equal(1, (await h.ChainAsync(g, Lane.Telemetry)).Forks);
    }

    [Fact]
    public async Task ChangedByte_BeforeTheOriginal_NeverBecomesData()
    {
        using var g = new SimulatedGateway("ward7", "bed-7", T0, policy: Manual);
        await using var h = await CreateAsync(g);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));
        var obs = g.ProduceObs(1, T0)[0];
        var tampered = await h.Processor.ProcessAsync([Message(g, obs, Tamper.ChangeOneByte(obs.Payload))], default);
        Assert.Empty(tampered.Alerts);

        // The original arrives, then the gateway's next records, which link to the original.
        var rest = g.ProduceObs(2, T0);
        var cp = g.Telemetry.Checkpoint(T0, ClockQuality.Synced)!;
        var result = await h.SendAsync(g, [obs, .. rest, cp]);

        Assert.Contains(result.Alerts, a => a.Kind == AlertKind.UnsignedBranch);
        var data = await h.Store.VerifiedRecordsAsync(new RecordQuery(null, g.Gw, null, null, 1000), default);
        Assert.Equal(cp.Seq - 1, data[^1].Seq);
        Assert.Equal(obs.Hash, data.Single(r => r.Seq == obs.Seq).Hash);
        Assert.Contains(await h.Store.EvidenceAsync(100, default), e => e.Problem.StartsWith("unsigned-branch: superseded", StringComparison.Ordinal));
        Assert.Equal(1, result.EvidenceByProblem.GetValueOrDefault("unsigned-branch")); // counted in edgetwin_ingest_evidence like any
    }

    [Fact]
    public async Task ReplayedOldRecord_AfterItsReceipt_RaisesReplay_AndRepeatsTheReceipt()
    {
        using var g = new SimulatedGateway("ward7", "bed-8", T0, policy: new CheckpointPolicy { MaxRecords = 3, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        g.ProduceObs(5, T0);
        await h.SendAsync(g, g.All.Where(r => r.Lane == Lane.Telemetry));
        var count = await h.Store.RecordCountAsync(default);
        var chain = await h.ChainAsync(g, Lane.Telemetry);

        var result = await h.SendAsync(g, [g.All.First(r => r.Kind == "obs")]);

        Assert.Equal(AlertKind.Replay, Assert.Single(result.Alerts).Kind);
        Assert.Equal(chain.ReceiptedThrough, Assert.Single(result.Receipts).Seq);
        Assert.Equal(count, await h.Store.RecordCountAsync(default));
    }

    [Fact]
    public async Task ManyOldRecordsReplayedInOneBatch_OneReplayAlert_EveryRepeatCountedAsADuplicate_OneReceipt()
    {
        using var g = new SimulatedGateway("ward7", "bed-8r", T0, policy: new CheckpointPolicy { MaxRecords = 3, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        g.ProduceObs(60, T0);
        var sent = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        await h.SendAsync(g, sent);
        var before = await h.ChainAsync(g, Lane.Telemetry);
        var replayed = sent.Where(r => r.Seq <= before.ReceiptedThrough).ToList();
        Assert.True(replayed.Count > 50, "most of the chain is receipted");

        var result = await h.SendAsync(g, replayed);

        var alert = Assert.Single(result.Alerts);
        Assert.Equal((AlertKind.Replay, replayed[0].Seq), (alert.Kind, alert.Seq));
        Assert.Equal(before.ReceiptedThrough, Assert.Single(result.Receipts).Seq);
        Assert.Equal((replayed.Count, 0), (result.Duplicates, result.Stored));
        // The chain's own count too, those further back than the verifier remembers (decided by the store) included.
        Assert.Equal(before.Duplicates + replayed.Count, (await h.ChainAsync(g, Lane.Telemetry)).Duplicates);
    }

    [Fact]
    public async Task ReplaysInBatchAfterBatch_OneReplayAlertAMinutePerChain_EveryRepeatCounted()
    {
        using var g = new SimulatedGateway("ward7", "bed-8m", T0, policy: new CheckpointPolicy { MaxRecords = 3, MaxDelay = TimeSpan.FromHours(1) });
        await using var h = await CreateAsync(g);
        g.ProduceObs(10, T0);
        var sent = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        await h.SendAsync(g, sent);
        var receipted = (await h.ChainAsync(g, Lane.Telemetry)).ReceiptedThrough;
        var replayed = sent.First(r => r.Kind == "obs");
        Assert.True(replayed.Seq <= receipted);

        var alerts = new List<int>();
        foreach (var wait in new[] { 0, 20, 20, 20, 0 })
        {
            h.Time.Advance(TimeSpan.FromSeconds(wait));
            alerts.Add((await h.SendAsync(g, [replayed])).Alerts.Count(a => a.Kind == AlertKind.Replay));
        }

        Assert.Equal([1, 0, 0, 1, 0], alerts); // at 0 s, then 60 s on
        Assert.Equal(2, (await h.Store.AlertsAsync(0, 100, default)).Count(a => a.Kind == AlertKind.Replay));
        Assert.Equal(5L, (await h.ChainAsync(g, Lane.Telemetry)).Duplicates);
    }

    [Fact]
    public async Task RecordOnAnotherGatewaysTopic_IsATopicMismatch()
    {
        using var a = new SimulatedGateway("ward7", "bed-9", T0);
        using var b = new SimulatedGateway("ward7", "bed-10", T0);
        await using var h = await CreateAsync(a, b);
        var result = await h.SendRawAsync("edgetwin/v1/ward7/bed-10/telemetry", a.All[0].Payload);
        Assert.Equal(AlertKind.TopicMismatch, Assert.Single(result.Alerts).Kind);
        Assert.Equal(0, await h.Store.RecordCountAsync(default));
        Assert.Empty(await h.Store.ChainsAsync(null, default));
    }

    [Fact]
    public async Task MalformedPayload_IsEvidence_WithARejectedAlert()
    {
        using var g = new SimulatedGateway("ward7", "bed-11", T0);
        await using var h = await CreateAsync(g);
        var result = await h.SendRawAsync("edgetwin/v1/ward7/bed-11/telemetry", "{\"etp\":1"u8.ToArray());
        Assert.Equal(AlertKind.Rejected, Assert.Single(result.Alerts).Kind);
        Assert.Single(await h.Store.EvidenceAsync(10, default));
    }

    [Fact]
    public async Task ReportedTwin_SignedByTheGateway_KeepsTheHighestVersion_AndStatusTheNewestConnection()
    {
        using var g = new SimulatedGateway("ward7", "bed-12", T0);
        await using var h = await CreateAsync(g);
        await h.SendRawAsync("edgetwin/v1/ward7/bed-12/twin/reported", Signed(g.Key, """{"gw":"bed-12","version":5,"state":{"a":1}}"""));
        var older = await h.SendRawAsync("edgetwin/v1/ward7/bed-12/twin/reported", Signed(g.Key, """{"gw":"bed-12","version":4,"state":{"a":0}}"""));
        await h.SendRawAsync("edgetwin/v1/ward7/bed-12/status", Signed(g.Key, """{"gw":"bed-12","online":true,"since":"2026-11-27T16:00:00.000Z"}"""));
        await h.SendRawAsync("edgetwin/v1/ward7/bed-12/status", Signed(g.Key, """{"gw":"bed-12","online":false,"since":"2026-11-27T16:00:00.000Z"}"""));
        var replayed = await h.SendRawAsync("edgetwin/v1/ward7/bed-12/status", Signed(g.Key, """{"gw":"bed-12","online":true,"since":"2026-11-27T16:00:00.000Z"}"""));
        await h.SendRawAsync("edgetwin/v1/ward7/bed-12/status", Signed(g.Key, """{"gw":"bed-12","online":true,"since":"2026-11-27T15:00:00.000Z"}"""));

        var row = await h.Store.GatewayAsync("bed-12", default);
        Assert.Equal(5, row!.ReportedVersion);
        Assert.Equal("""{"gw":"bed-12","version":5,"state":{"a":1}}""", row.Reported);
        Assert.Equal("""{"gw":"bed-12","online":false,"since":"2026-11-27T16:00:00.000Z"}""", row.Status);

        // Genuine but not newer (retained documents come again): ignored, neither evidence nor alert.
        Assert.Empty(older.Alerts);
        Assert.Empty(replayed.Alerts);
        Assert.Empty(await h.Store.EvidenceAsync(10, default));
    }

    [Fact]
    public async Task GatewayDocuments_Unsigned_Forged_OrForAnotherGateway_AreEvidenceWithAnAlert_AndChangeNothing()
    {
        using var g = new SimulatedGateway("ward7", "bed-12", T0);
        using var forger = GatewayKey.Generate();
        await using var h = await CreateAsync(g);
        await h.SendRawAsync("edgetwin/v1/ward7/bed-12/twin/reported", Signed(g.Key, """{"gw":"bed-12","version":2,"state":{"site":"ward7"}}"""));

        var attacks = new (string Topic, byte[] Payload)[]
        {
            ("edgetwin/v1/ward7/bed-12/twin/reported", "{\"gw\":\"bed-12\",\"version\":9007199254740991,\"state\":{\"site\":\"evil\"}}"u8.ToArray()),
            ("edgetwin/v1/ward7/bed-12/twin/reported", Signed(forger, """{"gw":"bed-12","version":9007199254740991,"state":{"site":"evil"}}""")),
            ("edgetwin/v1/ward7/bed-12/twin/reported", Signed(g.Key, """{"gw":"other","version":99,"state":{}}""")),
            ("edgetwin/v1/ward7/bed-12/status", "{\"online\":true}"u8.ToArray()),
            ("edgetwin/v1/ward7/ghost/status", Signed(forger, """{"gw":"ghost","online":true,"since":"2026-11-27T16:00:00.000Z"}""")),
        };
        foreach (var (topic, payload) in attacks)
        {
            var result = await h.SendRawAsync(topic, payload);
            Assert.Equal(AlertKind.UnsignedDocument, Assert.Single(result.Alerts).Kind);
        }

        var row = await h.Store.GatewayAsync("bed-12", default);
        Assert.Equal(2, row!.ReportedVersion);
        Assert.Contains("ward7", row.Reported, StringComparison.Ordinal);
        Assert.Null(row.Status);
        Assert.Null(await h.Store.GatewayAsync("ghost", default));
        Assert.Equal(attacks.Length, (await h.Store.EvidenceAsync(10, default)).Count);
    }

    private static byte[] Signed(GatewayKey key, string doc) => GatewayDocument.Seal(System.Text.Encoding.UTF8.GetBytes(doc), key);

    /// <summary>A signer that names one address and signs with another key: the genesis it writes names an address its checkpoints are not signed by.</summary>
    private sealed class NamesAnotherAddress(string address, GatewayKey signs) : ICheckpointSigner
    {
        public string Address => address;

        public string SignDigest(ReadOnlySpan<byte> digest) => signs.SignDigest(digest);
    }
}
