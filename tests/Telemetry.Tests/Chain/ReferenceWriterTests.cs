namespace EdgeTwin.Telemetry.Tests.Chain;

using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// Our writer, fed the same inputs as the independent ethers.js implementation, must produce the
/// same bytes, hashes and (RFC 6979 deterministic) signatures as the shared reference vectors.
/// </summary>
public sealed class ReferenceWriterTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TelemetryChain_FirstSixRecords_AreByteIdenticalToReference()
    {
        var reference = ReferenceVectors.Load().Where(r => r.Topic.EndsWith("/telemetry", StringComparison.Ordinal)).Select(r => r.Payload).ToList();
        using var key = TestKeys.Reference();
        var policy = new CheckpointPolicy { MaxRecords = 1000, MaxDelay = TimeSpan.FromHours(1) };

        var writer = ChainWriter.StartNew("ward7-bed12", Lane.Telemetry, key, policy, GenesisReason.FirstStart, "reference", T, ClockQuality.Synced, out var genesis, "0123456789abcdef0123456789abcdef");
        var produced = new List<ChainRecord>
        {
            genesis,
            writer.AppendObs(new ObsBody("p-3f9a2c", "sim-1-vitals", "loinc:8867-4", "/min", T, 0, [72]), T.AddMilliseconds(250), ClockQuality.Synced),
            writer.AppendObs(new ObsBody("p-3f9a2c", "sim-1-vitals", "loinc:59408-5", "%", T, 0, [97]), T.AddMilliseconds(500), ClockQuality.Synced),
            writer.AppendObs(new ObsBody("p-3f9a2c", "sim-1-ecg", "mdc:131330", "mV", T, 4, [0.01, 0.02, 0.9, -0.2, 0, null]), T.AddMilliseconds(750), ClockQuality.Synced),
            writer.Checkpoint(T.AddMilliseconds(1000), ClockQuality.Synced)!,
            writer.AppendEvent("clock-jump", new JsonObject { ["fromTs"] = "1970-01-01T00:00:10.000Z", ["toTs"] = "2026-11-27T16:00:00.000Z" }, T.AddMilliseconds(1250), ClockQuality.Synced),
        };

        for (var i = 0; i < produced.Count; i++)
        {
            Assert.Equal(ReferenceVectors.Text(reference[i]), ReferenceVectors.Text(produced[i].Payload));
        }

        Assert.Equal("8ee33346966fe893b993501ea92dd6565a96bedf105b66d67c62e484abff8f4e", produced[5].Hash);
        Assert.Equal(5, writer.State.Seq);
    }

    [Fact]
    public void AlarmChain_IsByteIdenticalToReference_WithCheckpointDueRightAfterTheAlarm()
    {
        var reference = ReferenceVectors.Load().Where(r => r.Topic.EndsWith("/alarm", StringComparison.Ordinal)).Select(r => r.Payload).ToList();
        using var key = TestKeys.Reference();

        var writer = ChainWriter.StartNew("ward7-bed12", Lane.Alarm, key, new CheckpointPolicy(), GenesisReason.FirstStart, "reference", T, ClockQuality.Synced, out var genesis, "fedcba9876543210fedcba9876543210");
        var alarm = writer.AppendAlarm(new AlarmBody("p-3f9a2c", "sim-1-vitals", "high", "news2-high", "raised", "news2", 8, "NEWS2 8 (high risk)"), T.AddMilliseconds(250), ClockQuality.Synced);
        Assert.Equal(T.AddMilliseconds(0), writer.NextCheckpointDue);
        var checkpoint = writer.CheckpointIfDue(T.AddMilliseconds(500), ClockQuality.Synced);

        Assert.NotNull(checkpoint);
        Assert.Equal(ReferenceVectors.Text(reference[0]), ReferenceVectors.Text(genesis.Payload));
        Assert.Equal(ReferenceVectors.Text(reference[1]), ReferenceVectors.Text(alarm.Payload));
        Assert.Equal(ReferenceVectors.Text(reference[2]), ReferenceVectors.Text(checkpoint.Payload));
        Assert.Null(writer.CheckpointIfDue(T.AddSeconds(10), ClockQuality.Synced));
    }
}
