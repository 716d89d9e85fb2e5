namespace EdgeTwin.Telemetry.Tests.Chain;

using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;

public sealed class ChainWriterTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    /// <summary>A new telemetry chain whose genesis a checkpoint at <see cref="T"/> covers: nothing uncovered.</summary>
    private static ChainWriter CoveredAtT(GatewayKey key)
    {
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        w.Checkpoint(T, ClockQuality.Synced);
        return w;
    }

    private static ObsBody Hr(double v) => new("p-1", "dev-1", "loinc:8867-4", "/min", T, 0, [v]);

    [Fact]
    public void Records_ChainBySeqAndPrev_AndHashIsSha256OfPayload()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out var g);
        var a = w.AppendObs(Hr(60), T, ClockQuality.Synced);
        var b = w.AppendObs(Hr(61), T, ClockQuality.Unsynced);

        Assert.Equal(0, g.Seq);
        Assert.Equal(new string('0', 64), g.Prev);
        Assert.Equal((1L, g.Hash), (a.Seq, a.Prev));
        Assert.Equal((2L, a.Hash), (b.Seq, b.Prev));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(b.Payload)), b.Hash);
        Assert.Contains("\"clock\":\"unsynced\",\"kind\":\"obs\"", ReferenceVectors.Text(b.Payload), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", w.State.Epoch);
        Assert.Equal(new ChainState("gw-1", Lane.Telemetry, w.State.Epoch, 2, b.Hash, 3, T, key.Address), w.State);
    }

    [Fact]
    public void Members_AreWrittenInTheDocumentedOrder()
    {
        using var key = TestKeys.Reference();
        ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.StoreCorrupt, "1.2.3", T, ClockQuality.Synced, out var g);
        using var doc = JsonDocument.Parse(g.Payload);
        Assert.Equal(["etp", "gw", "lane", "epoch", "seq", "prev", "ts", "clock", "kind", "body"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("store-corrupt", doc.RootElement.GetProperty("body").GetProperty("reason").GetString());
    }

    [Fact]
    public void CheckpointIfDue_FiresAtMaxRecords()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) }, GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        w.AppendObs(Hr(1), T, ClockQuality.Synced);
        w.AppendObs(Hr(2), T, ClockQuality.Synced);
        Assert.Null(w.CheckpointIfDue(T, ClockQuality.Synced));
        w.AppendObs(Hr(3), T, ClockQuality.Synced);

        var cp = w.CheckpointIfDue(T, ClockQuality.Synced);

        Assert.NotNull(cp);
        Assert.Equal(("checkpoint", 4L), (cp.Kind, cp.Seq));
        Assert.Equal((0L, (DateTimeOffset?)null), (w.State.UncoveredCount, w.State.FirstUncoveredAt));
        Assert.Null(w.Checkpoint(T, ClockQuality.Synced));
    }

    [Fact]
    public void CheckpointIfDue_FiresMaxDelayAfterFirstUncoveredRecord_AndPolicyMayChangeLive()
    {
        using var key = TestKeys.Reference();
        var w = CoveredAtT(key);
        w.AppendObs(Hr(1), T.AddMilliseconds(100), ClockQuality.Synced);
        w.AppendObs(Hr(2), T.AddMilliseconds(900), ClockQuality.Synced);
        Assert.Equal(T.AddMilliseconds(1100), w.NextCheckpointDue);
        Assert.Null(w.CheckpointIfDue(T.AddMilliseconds(1099), ClockQuality.Synced));
        Assert.NotNull(w.CheckpointIfDue(T.AddMilliseconds(1100), ClockQuality.Synced));

        w.AppendObs(Hr(3), T.AddSeconds(2), ClockQuality.Synced);
        w.Policy = new CheckpointPolicy { MaxDelay = TimeSpan.FromSeconds(10) };
        Assert.Null(w.CheckpointIfDue(T.AddSeconds(5), ClockQuality.Synced));
        Assert.Equal(T.AddSeconds(12), w.NextCheckpointDue);
    }

    [Fact]
    public void CheckpointIfDue_ClockSteppedBackBeforeTheFirstUncoveredRecord_FiresAtOnce()
    {
        using var key = TestKeys.Reference();
        var w = CoveredAtT(key);
        w.AppendObs(Hr(1), T.AddMilliseconds(500), ClockQuality.Synced);
        w.AppendEvent("clock-jump", null, T.AddMilliseconds(600).AddHours(-2), ClockQuality.Synced);

        var cp = w.CheckpointIfDue(T.AddMilliseconds(700).AddHours(-2), ClockQuality.Synced);

        Assert.NotNull(cp);
        Assert.Equal(("checkpoint", 4L), (cp.Kind, cp.Seq));
        Assert.Equal((0L, (DateTimeOffset?)null), (w.State.UncoveredCount, w.State.FirstUncoveredAt));
    }

    [Fact]
    public void Resume_ContinuesTheChainWithoutFork()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        var last = w.AppendObs(Hr(1), T, ClockQuality.Synced);
        var persisted = w.State;

        var resumed = ChainWriter.Resume(persisted, key, new CheckpointPolicy());
        var next = resumed.AppendObs(Hr(2), T.AddSeconds(1), ClockQuality.Synced);

        Assert.Equal((2L, last.Hash, persisted.Epoch), (next.Seq, next.Prev, next.Epoch));
        Assert.Equal(3, resumed.State.UncoveredCount);
        Assert.Equal(T, resumed.State.FirstUncoveredAt);
    }

    [Fact]
    public void State_NamesTheGenesisKey_AndResumeRefusesAnotherSigner()
    {
        using var key = TestKeys.Reference();
        using var other = GatewayKey.Generate();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        w.AppendObs(Hr(1), T, ClockQuality.Synced);

        Assert.Equal(key.Address, w.State.Key);
        var ex = Assert.Throws<ArgumentException>(() => ChainWriter.Resume(w.State, other, new CheckpointPolicy()));
        Assert.Contains($"signed by {key.Address}", ex.Message, StringComparison.Ordinal);
        var resumed = ChainWriter.Resume(w.State with { Key = key.Address.ToLowerInvariant() }, key, new CheckpointPolicy()); // addresses compare in any case
        Assert.Equal(2, resumed.AppendObs(Hr(2), T, ClockQuality.Synced).Seq);
    }

    [Fact]
    public void Resume_RejectsInconsistentState()
    {
        using var key = TestKeys.Reference();
        var bad = new ChainState("gw-1", Lane.Telemetry, "nothex", 3, new string('a', 64), 0, null);
        Assert.Throws<ArgumentException>(() => ChainWriter.Resume(bad, key, new CheckpointPolicy()));
        var inconsistent = new ChainState("gw-1", Lane.Telemetry, new string('a', 32), 3, new string('a', 64), 2, null);
        Assert.Throws<ArgumentException>(() => ChainWriter.Resume(inconsistent, key, new CheckpointPolicy()));
    }

    [Fact]
    public void TooLargeObs_Throws_AndChangesNothing_WhileEstimateTellsTheProducerBeforehand()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        var before = w.State;
        var huge = new ObsBody("p-1", "dev-1", "mdc:131330", "mV", T, 4, Enumerable.Repeat<double?>(-0.123456789, 6000).ToArray());
        var fits = new ObsBody("p-1", "dev-1", "mdc:131330", "mV", T, 4, Enumerable.Repeat<double?>(-0.123456789, 5000).ToArray());

        Assert.True(ChainWriter.EstimateObsSize(huge) > 65536);
        Assert.Throws<RecordTooLargeException>(() => w.AppendObs(huge, T, ClockQuality.Synced));
        Assert.Equal(before, w.State);

        var estimate = ChainWriter.EstimateObsSize(fits);
        var record = w.AppendObs(fits, T, ClockQuality.Synced);
        Assert.InRange(record.Payload.Length, estimate - 400, estimate);
    }

    [Fact]
    public void NonFiniteSamples_AreWrittenAsNull()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        var r = w.AppendObs(new ObsBody("p", "d", "mdc:150452", "{ratio}", T, 7.8125, [double.NaN, null, double.PositiveInfinity, 1e-7, 1e21, 123.5]), T, ClockQuality.Synced);
        Assert.Contains("\"dt\":7.8125,\"v\":[null,null,null,1e-7,1e+21,123.5]", ReferenceVectors.Text(r.Payload), StringComparison.Ordinal);
    }

    [Fact]
    public void BadArguments_AreRejectedWithoutChangingState()
    {
        using var key = TestKeys.Reference();
        Assert.Throws<ArgumentException>(() => ChainWriter.StartNew("Ward 7", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _));
        Assert.Throws<ArgumentException>(() => ChainWriter.StartNew("gw", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _, "ABC"));
        var w = ChainWriter.StartNew("gw-1", Lane.Telemetry, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        var before = w.State;
        Assert.Throws<ArgumentException>(() => w.AppendAlarm(new AlarmBody("p", "d", "urgent", "c", "raised", "rule", null, "x"), T, ClockQuality.Synced));
        Assert.Throws<ArgumentException>(() => w.AppendEvent("x", new JsonObject { ["type"] = "y" }, T, ClockQuality.Synced));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.AppendGap(1, 5, new string('0', 64), new string('0', 64), "quota", T, ClockQuality.Synced));
        Assert.Throws<ArgumentException>(() => w.AppendObs(new ObsBody("p", "d", "c", "u", T, -1, [1]), T, ClockQuality.Synced));
        Assert.Throws<ArgumentException>(() => w.AppendObs(new ObsBody("p", "d", "c", "u", T, 0, []), T, ClockQuality.Synced));
        Assert.Equal(before, w.State);
    }

    [Fact]
    public void SeqAtTheLimit_RefusesToOverflow()
    {
        using var key = TestKeys.Reference();
        var state = new ChainState("gw-1", Lane.Telemetry, new string('a', 32), (1L << 53) - 1, new string('b', 64), 0, null);
        var w = ChainWriter.Resume(state, key, new CheckpointPolicy());
        Assert.Throws<InvalidOperationException>(() => w.AppendObs(Hr(1), T, ClockQuality.Synced));
        Assert.Equal(state, w.State);
    }

    [Fact]
    public void Strings_AreEscapedOnlyWhereJsonRequires_AsDocumented()
    {
        using var key = TestKeys.Reference();
        var w = ChainWriter.StartNew("gw-1", Lane.Alarm, key, new CheckpointPolicy(), GenesisReason.FirstStart, "t", T, ClockQuality.Synced, out _);
        var r = w.AppendAlarm(new AlarmBody("p", "d", "low", "c", "raised", "rule", null, "Temp < 35 & \"low\"\n\u001f é 😀 +'"), T, ClockQuality.Synced);
        Assert.Contains("\"value\":null,\"text\":\"Temp < 35 & \\\"low\\\"\\n\\u001F é \\uD83D\\uDE00 +'\"", ReferenceVectors.Text(r.Payload), StringComparison.Ordinal);
    }
}
