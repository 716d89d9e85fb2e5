namespace EdgeTwin.Bench.Ingest;

using System.Diagnostics;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// One gateway's chain for <c>ingest-latency</c>, signed and sealed before the run on the run's own
/// timeline: the gateway seals a one-sample obs record every <c>gateways / rate</c> seconds (its phase
/// spreads the gateways evenly over that interval), and checkpoints by its policy as a gateway does
/// (<see cref="ChainWriter.CheckpointIfDue"/>: after <c>MaxRecords</c> records, or at the instant
/// <c>MaxDelay</c> after the first uncovered one, however few records came meanwhile). With a
/// linger each record is published at the gateway's next commit tick instead of at once. Seq is the
/// index: the chain starts at its genesis. Payloads share one buffer, so the run's heap holds a few
/// large arrays rather than a million small ones (collections do not pause the publisher for them).
/// Filled in during the run: when each record was handed to MQTT and when a receipt first covered it.
/// </summary>
internal sealed class PacedChain
{
    private readonly byte[] _payloads;
    private readonly int[] _offsets;
    private readonly byte[] _hashes;

    private PacedChain(string gw, string address, List<(ChainRecord Record, long SealTicks)> records, long lingerTicks, long commitPhaseTicks)
    {
        Gw = gw;
        Address = address;
        Topic = $"edgetwin/v1/{Site}/{gw}/telemetry";
        Count = records.Count;
        _offsets = new int[Count + 1];
        _payloads = new byte[records.Sum(r => r.Record.Payload.Length)];
        _hashes = new byte[Count * 32];
        SealTicks = new long[Count];
        PublishTicks = new long[Count];
        IsObs = new bool[Count];
        PublishedAt = new long[Count];
        VerifiedAt = new long[Count];
        for (var i = 0; i < Count; i++)
        {
            var (record, seal) = records[i];
            if (record.Seq != i)
            {
                throw new InvalidOperationException($"{gw}: record {i} has seq {record.Seq}");
            }

            record.Payload.CopyTo(_payloads, _offsets[i]);
            _offsets[i + 1] = _offsets[i] + record.Payload.Length;
            Convert.FromHexString(record.Hash).CopyTo(_hashes, i * 32);
            SealTicks[i] = seal;
            PublishTicks[i] = lingerTicks == 0 ? seal : commitPhaseTicks + (((seal - commitPhaseTicks + lingerTicks - 1) / lingerTicks) * lingerTicks);
            IsObs[i] = record.Kind == RecordKinds.Obs;
        }
    }

    /// <summary>The site every bench gateway is under (topics <c>edgetwin/v1/bench-lat/{gw}/...</c>).</summary>
    public const string Site = "bench-lat";

    public string Gw { get; }

    /// <summary>The gateway key's address, which the workers enrol.</summary>
    public string Address { get; }

    public string Topic { get; }

    public int Count { get; }

    /// <summary>When the gateway seals each record, from the run's start (<see cref="TimeSpan"/> ticks).</summary>
    public long[] SealTicks { get; }

    /// <summary>When the gateway publishes each record, from the run's start: its seal, or the next commit tick with a linger.</summary>
    public long[] PublishTicks { get; }

    public bool[] IsObs { get; }

    /// <summary><see cref="Stopwatch"/> timestamp at which each record was handed to MQTT (0: not yet).</summary>
    public long[] PublishedAt { get; }

    /// <summary><see cref="Stopwatch"/> timestamp of the first receipt covering each record (0: none yet).</summary>
    public long[] VerifiedAt { get; }

    /// <summary>The highest seq a receipt named so far (-1: none).</summary>
    public long Receipted { get; set; } = -1;

    public ReadOnlyMemory<byte> Payload(int seq) => _payloads.AsMemory(_offsets[seq], _offsets[seq + 1] - _offsets[seq]);

    /// <summary>Whether <paramref name="hex"/> is the hash of the record at <paramref name="seq"/>.</summary>
    public bool HashIs(long seq, string hex) =>
        seq >= 0 && seq < Count && hex.Length == 64 && Convert.FromHexString(hex).AsSpan().SequenceEqual(_hashes.AsSpan((int)seq * 32, 32));

    /// <summary>
    /// Gateway <paramref name="index"/> of <paramref name="gateways"/>, named <c>lat-NNNN</c> with a new
    /// key: its genesis at its phase, then <paramref name="obsRecords"/> one-sample records paced so that
    /// all gateways together seal <paramref name="rate"/> a second, checkpoints by <paramref name="policy"/>,
    /// and a last checkpoint when the delay rule would make it. <paramref name="origin"/> is the records' clock at the run's start.
    /// </summary>
    public static PacedChain Generate(int index, int gateways, double rate, int obsRecords, CheckpointPolicy policy, TimeSpan linger, DateTimeOffset origin)
    {
        using var key = GatewayKey.Generate();
        var gw = $"lat-{index:D4}";
        var phase = (long)(index * TimeSpan.TicksPerSecond / rate);
        var interval = gateways * TimeSpan.TicksPerSecond / rate;
        var records = new List<(ChainRecord, long)>(obsRecords + (obsRecords / Math.Max(1, policy.MaxRecords)) + 64);
        var writer = ChainWriter.StartNew(gw, Lane.Telemetry, key, policy, GenesisReason.FirstStart, "bench", origin.AddTicks(phase), ClockQuality.Synced, out var genesis);
        records.Add((genesis, phase));
        for (var k = 0; k < obsRecords; k++)
        {
            var at = phase + (long)((k + 1) * interval);
            if (writer.NextCheckpointDue is { } due && due <= origin.AddTicks(at))
            {
                records.Add((writer.CheckpointIfDue(due, ClockQuality.Synced)!, (due - origin).Ticks));
            }

            records.Add((writer.AppendObs(IngestLoad.Body(gw, k, origin.AddTicks(at)), origin.AddTicks(at), ClockQuality.Synced), at));
            if (writer.CheckpointIfDue(origin.AddTicks(at), ClockQuality.Synced) is { } cp)
            {
                records.Add((cp, at));
            }
        }

        if (writer.NextCheckpointDue is { } last)
        {
            records.Add((writer.Checkpoint(last, ClockQuality.Synced)!, (last - origin).Ticks));
        }

        return new PacedChain(gw, key.Address, records, linger.Ticks, linger.Ticks * index / gateways);
    }
}
