namespace EdgeTwin.Bench.Telemetry;

using BenchmarkDotNet.Attributes;
using EdgeTwin.Telemetry.Verification;

/// <summary>Verifier throughput on a capture with a checkpoint every 256 records (target: 200,000 records/s).</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class StreamVerifierBenchmark
{
    private const int Records = 100_000;
    private byte[][] payloads = null!;

    [Params(false, true)]
    public bool Shuffled { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var key = BenchChains.TestKey();
        payloads = [.. BenchChains.Stream(key, Records, 256).Select(r => r.Payload)];
        if (Shuffled)
        {
            // Local reordering, as live-ahead-of-backlog delivery produces: blocks of 64 reversed.
            payloads = [.. payloads.Chunk(64).SelectMany(c => c.Reverse())];
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long VerifyCapture()
    {
        var v = new StreamVerifier(new VerifierOptions());
        foreach (var p in payloads)
        {
            v.Add(p);
        }

        return v.Report()[0].Verified;
    }
}
