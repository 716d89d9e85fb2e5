namespace EdgeTwin.Telemetry.Tests;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;

/// <summary>Builds valid chains with the real writer for verifier tests.</summary>
internal static class TestChains
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    /// <summary>Genesis, <paramref name="obs"/> obs records with a checkpoint every <paramref name="every"/>, and a final checkpoint.</summary>
    public static List<ChainRecord> Telemetry(ICheckpointSigner key, int obs, int every = 4, string gw = "gw-1", string epoch = "0123456789abcdef0123456789abcdef")
    {
        var policy = new CheckpointPolicy { MaxRecords = every, MaxDelay = TimeSpan.FromDays(1) };
        var w = ChainWriter.StartNew(gw, Lane.Telemetry, key, policy, GenesisReason.FirstStart, "test", T0, ClockQuality.Synced, out var genesis, epoch);
        var list = new List<ChainRecord> { genesis };
        for (var i = 0; i < obs; i++)
        {
            var t = T0.AddMilliseconds(10 * (i + 1));
            list.Add(w.AppendObs(new ObsBody("p-1", "dev-1", "loinc:8867-4", "/min", t, 0, [60 + (i % 40)]), t, ClockQuality.Synced));
            if (w.CheckpointIfDue(t, ClockQuality.Synced) is { } cp)
            {
                list.Add(cp);
            }
        }

        if (w.Checkpoint(T0.AddHours(1), ClockQuality.Synced) is { } last)
        {
            list.Add(last);
        }

        return list;
    }

    public static List<ChainRecord> Alarm(ICheckpointSigner key, int alarms, string gw = "gw-1", string epoch = "fedcba9876543210fedcba9876543210")
    {
        var w = ChainWriter.StartNew(gw, Lane.Alarm, key, new CheckpointPolicy(), GenesisReason.FirstStart, "test", T0, ClockQuality.Synced, out var genesis, epoch);
        var list = new List<ChainRecord> { genesis };
        for (var i = 0; i < alarms; i++)
        {
            var t = T0.AddSeconds(i + 1);
            list.Add(w.AppendAlarm(new AlarmBody("p-1", "dev-1", "high", "hr-high", "raised", "rule", 130 + i, "HR high"), t, ClockQuality.Synced));
            list.Add(w.CheckpointIfDue(t, ClockQuality.Synced)!);
        }

        return list;
    }
}
