namespace EdgeTwin.Bench.Telemetry;

using BenchmarkDotNet.Attributes;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;

/// <summary>Writer throughput without signatures or I/O (the target: 200,000 records/s on one core).</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ChainWriterBenchmark
{
    private const int Records = 10_000;
    private GatewayKey key = null!;
    private ObsBody[] bodies = null!;

    [GlobalSetup]
    public void Setup()
    {
        key = BenchChains.TestKey();
        bodies = [.. Enumerable.Range(0, Records).Select(i => BenchChains.Obs(i))];
    }

    [GlobalCleanup]
    public void Cleanup() => key.Dispose();

    [Benchmark(OperationsPerInvoke = Records)]
    public long AppendObs()
    {
        var policy = new CheckpointPolicy { MaxRecords = int.MaxValue, MaxDelay = TimeSpan.FromDays(1) };
        var w = ChainWriter.StartNew("ward7-bed12", Lane.Telemetry, key, policy, GenesisReason.FirstStart, "bench", BenchChains.T0, ClockQuality.Synced, out _);
        long bytes = 0;
        foreach (var body in bodies)
        {
            bytes += w.AppendObs(body, BenchChains.T0, ClockQuality.Synced).Payload.Length;
        }

        return bytes;
    }
}
