namespace EdgeTwin.Bench.Ingest;

using BenchmarkDotNet.Attributes;
using EdgeTwin.Bench.Telemetry;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Telemetry.Verification;

/// <summary>
/// A worker taking up a chain's stored state (it did not hold it: another worker advanced the chain, the
/// worker restarted, or its verifier cache let the gateway go): the compact bytes read through a hex string
/// of every hash (<see cref="ChainStateCodec.Decode"/>, then <see cref="StreamVerifier.ImportChain(ChainVerifierState)"/>)
/// against straight into hashes (<see cref="StreamVerifier.ImportChainEncoded"/>). The state is the ingest's:
/// 64 remembered links, and the records since the last checkpoint held (10 at 268 records fed, 88 at 603).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ChainStateImportBenchmark
{
    private readonly StreamVerifier into = new(new VerifierOptions { RecentWindow = ChainVerification.RecentWindow, LogDecidedLinks = true });
    private byte[] stored = null!;

    [Params(268, 603)]
    public int RecordsFed { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var key = BenchChains.TestKey();
        var verifier = new StreamVerifier(new VerifierOptions { EnrolledAddresses = [key.Address], RecentWindow = ChainVerification.RecentWindow, LogDecidedLinks = true });
        foreach (var record in BenchChains.Stream(key, RecordsFed, 256))
        {
            verifier.Add(record.Payload);
        }

        var chain = verifier.Report()[0].Chain;
        verifier.ClearDecided(chain);
        stored = verifier.ExportChainEncoded(chain);
    }

    [Benchmark(Baseline = true)]
    public long ThroughHex()
    {
        var state = ChainStateCodec.Decode(stored);
        into.ImportChain(state);
        return state.LinkedThrough;
    }

    [Benchmark]
    public int StraightIntoHashes()
    {
        into.ImportChainEncoded(stored);
        return stored.Length;
    }
}
