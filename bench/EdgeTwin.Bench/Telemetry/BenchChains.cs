namespace EdgeTwin.Bench.Telemetry;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;

/// <summary>Realistic records for the telemetry benchmarks: one heart-rate sample per obs record.</summary>
internal static class BenchChains
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    /// <summary>TEST KEY ONLY (32 bytes of 0x22).</summary>
    public static GatewayKey TestKey() => GatewayKey.FromPrivateKeyHex("0x" + new string('2', 64));

    public static ObsBody Obs(long i) => new("p-3f9a2c", "sim-1-vitals", "loinc:8867-4", "/min", T0.AddMilliseconds(i), 0, [60 + (i % 40)]);

    /// <summary>Streams a chain of <paramref name="count"/> records with a checkpoint every <paramref name="every"/>.</summary>
    public static IEnumerable<ChainRecord> Stream(ICheckpointSigner key, long count, int every)
    {
        var policy = new CheckpointPolicy { MaxRecords = every, MaxDelay = TimeSpan.FromDays(1) };
        var w = ChainWriter.StartNew("ward7-bed12", Lane.Telemetry, key, policy, GenesisReason.FirstStart, "bench", T0, ClockQuality.Synced, out var genesis, new string('a', 32));
        yield return genesis;
        for (long n = 1, i = 0; n < count; i++)
        {
            var t = T0.AddMilliseconds(i);
            yield return w.AppendObs(Obs(i), t, ClockQuality.Synced);
            n++;
            if (n < count && w.CheckpointIfDue(t, ClockQuality.Synced) is { } cp)
            {
                yield return cp;
                n++;
            }
        }
    }
}
