namespace EdgeTwin.Bench.Ingest;

using BenchmarkDotNet.Attributes;
using EdgeTwin.Ingest.Storage;

/// <summary>
/// A batch's (chain, seq) keys through a set as a write session takes them (add, look up, remove), one
/// batch of 2,048 records over 10 chains: <see cref="ChainId"/> with its hash computed once against the
/// positional record struct it was (<see cref="HashedPerCall"/>, its members' hashes combined on every
/// call), the keys made as the plan makes them (a new id per record, new strings).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ChainKeyLookupBenchmark
{
    private const int Records = 2_048;
    private (string Gw, string Lane, string Epoch, long Seq)[] keys = null!;

    [GlobalSetup]
    public void Setup() =>
        keys = [.. Enumerable.Range(0, Records).Select(i => (new string($"ward7-bed-{i % 10:D3}".AsSpan()), "telemetry", new string($"01JEPOCH{i % 10:D18}".AsSpan()), (long)i))];

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public int HashedPerCall() => Run(static (gw, lane, epoch) => new HashedPerCall(gw, lane, epoch));

    [Benchmark(OperationsPerInvoke = Records)]
    public int HashedOnce() => Run(static (gw, lane, epoch) => new ChainId(gw, lane, epoch));

    // Generic over the id (a struct): each one gets code of its own, as a set of it would.
    private int Run<TId>(Func<string, string, string, TId> make)
        where TId : struct
    {
        var set = new HashSet<(TId, long)>(Records);
        foreach (var k in keys)
        {
            var id = make(k.Gw, k.Lane, k.Epoch);
            set.Add((id, k.Seq));
            _ = set.Contains((id, k.Seq));
            _ = set.Contains((id, k.Seq + 1));
            set.Remove((id, k.Seq));
        }

        return set.Count;
    }
}

/// <summary>The chain id as it was before 2026-12-08: a positional record struct, its hash combined from its members on every call.</summary>
internal readonly record struct HashedPerCall(string Gw, string Lane, string Epoch);
