namespace EdgeTwin.Bench.Telemetry;

using BenchmarkDotNet.Attributes;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Verification;

/// <summary>
/// A gateway's records verified while a stranger holds thousands of records far ahead of its chain (gap
/// statements reaching back over it, checkpoints signed with the stranger's own key), each checkpoint
/// arriving before the records it covers, so every record's trace stops short and looks for a gap to
/// cross by. Per genuine record; compare Strangers = 0 and 8,000 within one run.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 1)]
public class StrangersHeldAheadBenchmark
{
    private const int Records = 4_000;
    private byte[][] genuine = null!;
    private byte[][] strangers = null!;
    private StreamVerifier verifier = null!;
    private string enrolled = null!;

    [Params(0, 8_000)]
    public int Strangers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var key = BenchChains.TestKey();
        enrolled = key.Address;
        var chain = BenchChains.Stream(key, Records, 16).ToList();
        genuine = [.. chain.Chunk(17).SelectMany(c => c.Reverse()).Select(r => r.Payload)];
        using var stranger = GatewayKey.FromPrivateKeyHex("0x" + new string('3', 64));
        var w = ChainWriter.Resume(new ChainState("ward7-bed12", chain[0].Lane, chain[0].Epoch, Records + 1_000, new string('c', 64), 0, null), stranger, new CheckpointPolicy { MaxRecords = 1_000_000 });
        var filler = new string('a', 64);
        var list = new List<byte[]>();
        for (var i = 0; i < Strangers / 2; i++)
        {
            list.Add(w.AppendGap(1 + i, w.State.Seq, filler, filler, "quota", BenchChains.T0, ClockQuality.Synced).Payload);
            list.Add(w.Checkpoint(BenchChains.T0, ClockQuality.Synced)!.Payload);
        }

        strangers = [.. list];
    }

    [IterationSetup]
    public void HoldTheStrangers()
    {
        verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [enrolled], RecentWindow = 64, LogDecidedLinks = true });
        foreach (var p in strangers)
        {
            verifier.Add(p);
        }
    }

    [Benchmark(OperationsPerInvoke = Records)]
    public long VerifyTheGatewaysRecords()
    {
        foreach (var p in genuine)
        {
            verifier.Add(p);
        }

        return verifier.Report()[0].VerifiedThrough;
    }
}
