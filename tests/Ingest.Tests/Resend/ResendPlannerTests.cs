namespace EdgeTwin.Ingest.Tests.Resend;

using EdgeTwin.Ingest.Resend;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Verification;

/// <summary>What the ingest asks a gateway for (issue 21): missing seqs, a genesis never seen, a reported head not held.</summary>
public sealed class ResendPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void MissingSeqs_InTheMiddle_AreAskedFor()
    {
        var state = StateOf(seq => seq is not (5 or 6), out _);

        Assert.Equal([(5L, 6L)], ResendPlanner.Missing(state, reportedHead: null));
    }

    [Fact]
    public void GenesisNeverSeen_AsksFromZero()
    {
        var state = StateOf(seq => seq >= 3, out _);

        Assert.Equal([(0L, 2L)], ResendPlanner.Missing(state, reportedHead: null));
    }

    [Fact]
    public void ReportedHeadBeyondWhatIsHeld_AsksForTheTail()
    {
        var state = StateOf(_ => true, out var last);

        Assert.Empty(ResendPlanner.Missing(state, reportedHead: last));
        Assert.Equal([(last + 1, last + 4)], ResendPlanner.Missing(state, reportedHead: last + 4));
    }

    [Fact]
    public void ARecordAStrangerPublishedFarAhead_IsNoReasonToAsk_TheGatewaysSignedHeadStillIs()
    {
        // Anyone may publish on the broker: an observation chained on from the gateway's last record, at seq 40.
        using var stranger = EdgeTwin.Telemetry.Signing.GatewayKey.Generate();
        var state = StateOf(_ => true, out var last, ahead: (stranger, 40));
        Assert.Equal(40, state.HighestSeq);

        Assert.Empty(ResendPlanner.Missing(state, reportedHead: null)); // nothing the gateway signed reaches past its last record
        Assert.Equal([(last + 1, last + 4)], ResendPlanner.Missing(state, reportedHead: last + 4));
    }

    [Fact]
    public void ChainNeverSeen_WithAReportedHead_AsksForAllOfIt()
    {
        Assert.Equal([(0L, 12L)], ResendPlanner.Missing(null, reportedHead: 12));
        Assert.Empty(ResendPlanner.Missing(null, reportedHead: null));
    }

    [Fact]
    public void LongRuns_AreSplit_AndRangesAreCapped()
    {
        var ranges = ResendPlanner.Missing(null, reportedHead: (ResendPlanner.MaxRangeLength * 100) - 1);

        Assert.Equal(ResendPlanner.MaxRanges, ranges.Count);
        Assert.Equal((0L, ResendPlanner.MaxRangeLength - 1), ranges[0]);
        Assert.Equal((ResendPlanner.MaxRangeLength, (2 * ResendPlanner.MaxRangeLength) - 1), ranges[1]);
    }

    [Fact]
    public void Persisting_KeepsOnlyWhatWasMissingAtBothLooks()
    {
        Assert.Equal([(5L, 6L)], ResendPlanner.Persisting([(3, 6)], [(5, 9)]));
        Assert.Empty(ResendPlanner.Persisting([], [(5, 9)]));
        Assert.Empty(ResendPlanner.Persisting([(0, 4)], [(5, 9)]));
    }

    [Fact]
    public void Wanted_AChainWhoseStoredStateIsUnreadable_IsNotAskedFor_AndSaidSo_AReportedChainWithNoRowIsAskedFromItsStart()
    {
        using var g = new SimulatedGateway("site", "gw-1", T0);
        using var other = new SimulatedGateway("site", "gw-2", T0);
        var options = new EdgeTwin.Ingest.Options.IngestOptions();
        options.Enrolled["gw-1"] = g.Key.Address;
        options.Enrolled["gw-2"] = other.Key.Address;
        var enrolment = new EdgeTwin.Ingest.Enrolment.GatewayEnrolment(new FixedOptionsMonitor<EdgeTwin.Ingest.Options.IngestOptions>(options));
        var broken = new EdgeTwin.Ingest.Storage.ChainId("gw-1", "telemetry", g.Telemetry.State.Epoch);
        var fresh = new EdgeTwin.Ingest.Storage.ChainId("gw-2", "telemetry", other.Telemetry.State.Epoch);
        var rows = new[] { new EdgeTwin.Ingest.Storage.ChainRow { Id = broken, Site = "site", VerifierState = [0xde, 0xad, 0xbe, 0xef] } };
        var gateways = new[]
        {
            new EdgeTwin.Ingest.Storage.GatewayRow { Gw = "gw-1", Site = "site", Reported = Heads(broken.Epoch, 40) },
            new EdgeTwin.Ingest.Storage.GatewayRow { Gw = "gw-2", Site = "site", Reported = Heads(fresh.Epoch, 12) },
        };
        var told = new List<(EdgeTwin.Ingest.Storage.ChainId, string)>();

        var wanted = ResendRequester.Wanted(rows, gateways, enrolment, (row, problem) => told.Add((row.Id, problem)));

        // Before the fix the unreadable chain fell through to "reported, no row" and was asked for from seq 0.
        Assert.Equal([fresh], wanted.Keys);
        Assert.Equal([(0L, 12L)], wanted[fresh].Ranges);
        var (id, why) = Assert.Single(told);
        Assert.Equal(broken, id);
        Assert.Contains("stored chain state", why, StringComparison.Ordinal);
    }

    private static string Heads(string epoch, long seq) => $"{{\"heads\":{{\"telemetry\":{{\"epoch\":\"{epoch}\",\"seq\":{seq}}}}}}}";

    /// <summary>A real verifier's state after the telemetry records whose seq <paramref name="deliver"/> admits; <paramref name="last"/>: the chain's last seq.</summary>
    private static ChainVerifierState StateOf(Func<long, bool> deliver, out long last, (EdgeTwin.Telemetry.Signing.GatewayKey Key, long Seq)? ahead = null)
    {
        using var g = new SimulatedGateway("site", "gw-1", T0, policy: new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) });
        g.ProduceObs(10, T0);
        var records = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
        last = records.Max(r => r.Seq);
        var verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [g.Key.Address] });
        foreach (var r in records.Where(r => deliver(r.Seq)))
        {
            verifier.Add(r.Payload);
        }

        if (ahead is var (key, seq))
        {
            var w = ChainWriter.Resume(new ChainState(g.Gw, Lane.Telemetry, records[^1].Epoch, seq - 1, records[^1].Hash, 0, null), key, new CheckpointPolicy { MaxRecords = 1_000 });
            verifier.Add(w.AppendObs(new ObsBody(g.Patient, $"{g.Gw}-mon", "loinc:8867-4", "/min", T0, 0, [1]), T0, ClockQuality.Synced).Payload);
        }

        return verifier.ExportChain(new ChainKey(g.Gw, Lane.Telemetry, g.Telemetry.State.Epoch));
    }
}
