namespace EdgeTwin.Cli.Vectors;

using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Deterministic ETP/1 test vectors (tests/vectors). TEST KEYS ONLY: 32 bytes of 0x22 (the gateway,
/// address 0x1563915e194D8CfBA1943570603F7606A3115508, same as the shared reference vectors) and
/// 32 bytes of 0x33 (the forger). Signatures are RFC 6979 deterministic, so output is byte-stable.
/// Expectations are worked out by hand from the construction below, not by running our verifier.
/// </summary>
internal static class VectorGenerator
{
    public const string GatewayKeyHex = "0x2222222222222222222222222222222222222222222222222222222222222222";
    public const string ForgerKeyHex = "0x3333333333333333333333333333333333333333333333333333333333333333";
    public const string IngestKeyHex = "0x4444444444444444444444444444444444444444444444444444444444444444";

    private const string Gw = "ward7-bed12";
    private const string Gw2 = "ward7-bed14";
    private const string TelemetryEpoch = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
    private const string AlarmEpoch = "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf";
    private const string Gw2Epoch = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf";
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<VectorFile> Generate()
    {
        using var key = GatewayKey.FromPrivateKeyHex(GatewayKeyHex);
        using var forger = GatewayKey.FromPrivateKeyHex(ForgerKeyHex);

        // T: 0 genesis, 1-3 obs, 4 cp, 5-8 obs, 9 cp, 10-13 obs, 14 cp (15 records; 14 verified, 14 pending).
        var t = Telemetry(Gw, TelemetryEpoch, key, 11, out _);

        // A: 0 genesis, 1 alarm, 2 cp, 3 alarm, 4 cp (5 records; 4 verified).
        var a = Alarm(key);

        // G2: 0 genesis, 1-3 obs, 4 cp, 5-7 obs, 8 forced cp (9 records; 8 verified).
        var g2 = Telemetry(Gw2, Gw2Epoch, key, 6, out _);

        var all = t.Concat(a).Concat(g2).ToList();
        var shuffled = Shuffle(all.Concat(new[] { t[2], t[14], a[1], g2[0], g2[5] }).ToList(), seed: 20261127);

        // Tamper one byte of seq 6 (a sample value): seq 7's prev no longer matches, checkpoints 9 and 14 cannot verify.
        var tampered = t.ToList();
        tampered[6] = tampered[6] with { Payload = ChangeOneByte(tampered[6].Payload, "\"v\":[64]", "\"v\":[65]") };

        // Forged: the last checkpoint (seq 14) is signed by another key; checkpoint 9 still verifies 0..8.
        var forged = Telemetry(Gw, TelemetryEpoch, key, 11, out _, forgeLastWith: forger);

        // Fork: a second, different record at seq 1 (same prev, another sample) arriving after the chain.
        var twin = Telemetry(Gw, TelemetryEpoch, key, 11, out _, firstSample: 99)[1];

        // Injected: a stranger (no key used) chains two obs onto the head after checkpoint 9 (seqs 10', 11'),
        // published before the gateway's own 10-14. Checkpoint 14 leads through the genuine 10-13.
        var injected = Continue(t[9], forger, 2, 900, checkpoint: false);

        // Equivocation: the gateway key itself signs a second chain: 13' after the genuine 12, and 14' over
        // it. Both 14 and 14' are valid checkpoints at one seq naming different records before them.
        var equivocation = Continue(t[12], key, 1, 500, checkpoint: true);

        return
        [
            new("valid-multi-chain.jsonl", "three chains (both lanes of ward7-bed12, telemetry of ward7-bed14), in order", Topics(all), new(3, 29, 26, 3, 0, 0, 0, 0, 0, 0)),
            new("out-of-order-duplicates.jsonl", "the same 29 records shuffled, 5 of them delivered twice", Topics(shuffled), new(3, 29, 26, 3, 0, 0, 0, 0, 5, 0)),
            new("tampered-byte.jsonl", "one sample digit of telemetry seq 6 changed", Topics(tampered), new(1, 15, 4, 11, 0, 0, 1, 0, 0, 0)),
            new("dropped-record.jsonl", "telemetry seq 6 never delivered, no gap statement", Topics(t.Where(r => r.Seq != 6).ToList()), new(1, 14, 4, 10, 0, 1, 0, 0, 0, 0)),
            new("forged-checkpoint.jsonl", "the last checkpoint (seq 14) signed by another key", Topics(forged), new(1, 15, 9, 6, 0, 0, 0, 1, 0, 0)),
            new("fork.jsonl", "a second, different record at seq 1 (same prev), delivered after the chain", Topics([.. t, twin]), new(1, 16, 14, 2, 1, 0, 0, 0, 0, 0)),
            new("gap-statement.jsonl", "seqs 6-7 dropped unsent and vouched for by a gap statement at seq 9", Topics(GapChain(key)), new(1, 11, 10, 1, 0, 0, 0, 0, 0, 2)),
            new("injected-branch.jsonl", "two unsigned records chained onto the head after checkpoint 9, arriving before the genuine 10-14", Topics([.. t.Take(10), .. injected, .. t.Skip(10)]), new(1, 15, 14, 1, 0, 0, 0, 0, 0, 0, UnsignedBranch: 2)),
            new("compact-bodies.jsonl", "obs-compact records (docs/protocol.md §4 worked example; ECG and pleth with negatives and nulls) beside a plain obs", Topics(CompactChain(key)), new(1, 6, 5, 1, 0, 0, 0, 0, 0, 0)),
            new("compact-malformed.jsonl", "the same chain with one character of seq 4's ECG samples changed to '+' (not base64url): refused as bad-compact:base64", Topics(CompactChain(key, spoil: true)), new(1, 5, 2, 3, 0, 1, 0, 0, 0, 0, Rejected: 1)),
            new("equivocation.jsonl", "a second record at seq 13 and a second checkpoint at seq 14, both signed by the gateway key, after the chain", Topics([.. t, .. equivocation]), new(1, 17, 14, 3, 2, 0, 1, 0, 0, 0)),
        ];
    }

    /// <summary>
    /// Receipts and a re-send request (PROTOCOL §7) for the 15-record telemetry chain of ward7-bed12,
    /// as raw payloads: a valid receipt through seq 13 signed by the ingest key (0x44..44), the same
    /// receipt signed by the forger (0x33..33), one signed by the ingest key that names seq 12's hash
    /// at seq 13 (valid signature, wrong hash: a gateway deletes nothing), and a request for seqs 6..7.
    /// </summary>
    public static IReadOnlyList<(string Name, byte[] Payload)> Statements()
    {
        using var key = GatewayKey.FromPrivateKeyHex(GatewayKeyHex);
        using var ingest = GatewayKey.FromPrivateKeyHex(IngestKeyHex);
        using var forger = GatewayKey.FromPrivateKeyHex(ForgerKeyHex);
        var t = Telemetry(Gw, TelemetryEpoch, key, 11, out _);
        return
        [
            ("receipt-valid.json", Receipt.Sign(Gw, WireNames.Telemetry, TelemetryEpoch, 13, t[13].Hash, ingest).ToPayload()),
            ("receipt-forged.json", Receipt.Sign(Gw, WireNames.Telemetry, TelemetryEpoch, 13, t[13].Hash, forger).ToPayload()),
            ("receipt-wrong-hash.json", Receipt.Sign(Gw, WireNames.Telemetry, TelemetryEpoch, 13, t[12].Hash, ingest).ToPayload()),
            ("resend-request.json", ResendRequest.Sign(Gw, WireNames.Telemetry, TelemetryEpoch, 6, 7, ingest).ToPayload()),
        ];
    }

    private static List<ChainRecord> Telemetry(string gw, string epoch, ICheckpointSigner key, int obs, out ChainWriter writer, ICheckpointSigner? forgeLastWith = null, int firstSample = 60)
    {
        var signer = new SwitchableSigner(key);
        writer = ChainWriter.StartNew(gw, Lane.Telemetry, signer, new CheckpointPolicy { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) }, GenesisReason.FirstStart, "vectors", T0, ClockQuality.Synced, out var genesis, epoch);
        var list = new List<ChainRecord> { genesis };
        for (var i = 0; i < obs; i++)
        {
            var t = T0.AddMilliseconds(250 * (i + 1));
            var sample = i == 0 ? firstSample : 60 + i;
            list.Add(writer.AppendObs(new ObsBody("p-3f9a2c", "sim-1-vitals", "loinc:8867-4", "/min", t, 0, [sample]), t, ClockQuality.Synced));
            if (forgeLastWith is not null && i == obs - 1)
            {
                signer.Actual = forgeLastWith;
            }

            if (writer.CheckpointIfDue(t, ClockQuality.Synced) is { } cp)
            {
                list.Add(cp);
            }
        }

        if (writer.Checkpoint(T0.AddSeconds(60), ClockQuality.Synced) is { } last)
        {
            list.Add(last);
        }

        return list;
    }

    /// <summary>Records chained onto <paramref name="head"/> by someone holding <paramref name="signer"/> (only a checkpoint uses it).</summary>
    private static List<ChainRecord> Continue(ChainRecord head, ICheckpointSigner signer, int obs, int firstSample, bool checkpoint)
    {
        var w = ChainWriter.Resume(new ChainState(Gw, head.Lane, head.Epoch, head.Seq, head.Hash, 0, null), signer, new CheckpointPolicy { MaxRecords = 1000, MaxDelay = TimeSpan.FromHours(1) });
        var t = T0.AddSeconds(30);
        var list = Enumerable.Range(0, obs).Select(i => w.AppendObs(new ObsBody("p-3f9a2c", "sim-1-vitals", "loinc:8867-4", "/min", t, 0, [firstSample + i]), t, ClockQuality.Synced)).ToList();
        if (checkpoint)
        {
            list.Add(w.Checkpoint(t, ClockQuality.Synced)!);
        }

        return list;
    }

    private static List<ChainRecord> Alarm(ICheckpointSigner key)
    {
        var w = ChainWriter.StartNew(Gw, Lane.Alarm, key, new CheckpointPolicy(), GenesisReason.FirstStart, "vectors", T0, ClockQuality.Synced, out var genesis, AlarmEpoch);
        var list = new List<ChainRecord> { genesis };
        string[] states = ["raised", "cleared"];
        for (var i = 0; i < states.Length; i++)
        {
            var t = T0.AddSeconds(i + 1);
            list.Add(w.AppendAlarm(new AlarmBody("p-3f9a2c", "sim-1-vitals", "high", "news2-high", states[i], "news2", 7 - (2 * i), $"NEWS2 {7 - (2 * i)}"), t, ClockQuality.Synced));
            list.Add(w.CheckpointIfDue(t, ClockQuality.Synced)!);
        }

        return list;
    }

    /// <summary>0 genesis, 1-3 obs, 4 cp, 5-8 obs (6, 7 not sent), 9 gap(6..7), 10 cp, 11 obs, 12 cp.</summary>
    private static List<ChainRecord> GapChain(ICheckpointSigner key)
    {
        var w = ChainWriter.StartNew(Gw, Lane.Telemetry, key, new CheckpointPolicy { MaxRecords = 1000, MaxDelay = TimeSpan.FromHours(1) }, GenesisReason.StoreLost, "vectors", T0, ClockQuality.Unsynced, out var genesis, "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf");
        var list = new List<ChainRecord> { genesis };
        var t = T0;
        ChainRecord Obs(double v)
        {
            t = t.AddMilliseconds(250);
            return w.AppendObs(new ObsBody("p-3f9a2c", "sim-1-ecg", "mdc:131330", "mV", t, 4, [v, -v / 8, null, 0.00000125]), t, ClockQuality.Unsynced);
        }

        list.AddRange([Obs(0.1), Obs(0.2), Obs(0.3), w.Checkpoint(t, ClockQuality.Unsynced)!]);
        var r5 = Obs(0.5);
        var r6 = Obs(0.6);
        var r7 = Obs(0.7);
        var r8 = Obs(0.8);
        list.AddRange([r5, r8, w.AppendGap(6, 7, r6.Prev, r7.Hash, "quota", t, ClockQuality.Unsynced), w.Checkpoint(t, ClockQuality.Unsynced)!, Obs(1.1), w.Checkpoint(t, ClockQuality.Unsynced)!]);
        return list;
    }

    /// <summary>
    /// 0 genesis, 1 obs-compact (heart rate and temperature: the worked example of docs/protocol.md §4), 2 cp,
    /// 3 obs, 4 obs-compact (ECG q 0.001 mV and pleth q 0.0001), 5 cp. <paramref name="spoil"/>: seq 4's ECG string
    /// starts with '+' instead of its first character: refused, so checkpoint 5 waits for seq 4 and only
    /// checkpoint 2 verifies (records 0-1; 2, 3, 5 pending, 4 missing).
    /// </summary>
    private static List<ChainRecord> CompactChain(ICheckpointSigner key, bool spoil = false)
    {
        var w = ChainWriter.StartNew(Gw, Lane.Telemetry, key, new CheckpointPolicy { MaxRecords = 1000, MaxDelay = TimeSpan.FromHours(1) }, GenesisReason.FirstStart, "vectors", T0, ClockQuality.Synced, out var genesis, "e0e1e2e3e4e5e6e7e8e9eaebecedeeef");
        var t = T0.AddSeconds(10);
        var vitals = new CompactObsBody("p-3f9a2c", "sim-1", [
            new CompactStream("loinc:8867-4", "/min", Quantum.Parse("1"), T0, 1000, [72, 73, 73, null, 70]),
            new CompactStream("loinc:8310-5", "Cel", Quantum.Parse("0.01"), T0.AddMilliseconds(500), 1000, [37.12, 37.125, -0.005, 36.9]),
        ]);
        var waves = new CompactObsBody("p-3f9a2c", "sim-1", [
            new CompactStream("mdc:131330", "mV", Quantum.Parse("0.001"), t, 4, [0.012, -0.25, null, 1.5, 1.498, -0.003]),
            new CompactStream("mdc:150452", "{ratio}", Quantum.Parse("0.0001"), t, 10, [0.5123, 0.5201, null]),
        ]);
        var list = new List<ChainRecord> { genesis, w.AppendObsCompact(vitals, t, ClockQuality.Synced), w.Checkpoint(t, ClockQuality.Synced)! };
        list.Add(w.AppendObs(new ObsBody("p-3f9a2c", "sim-1", "loinc:8867-4", "/min", t, 0, [74]), t, ClockQuality.Synced));
        list.Add(w.AppendObsCompact(waves, t.AddSeconds(1), ClockQuality.Synced));
        list.Add(w.Checkpoint(t.AddSeconds(1), ClockQuality.Synced)!);
        if (spoil)
        {
            var ecg = CompactSamples.Encode(waves.Streams[0].Values, waves.Streams[0].Q);
            list[4] = list[4] with { Payload = ChangeOneByte(list[4].Payload, $"\"d\":\"{ecg}\"", $"\"d\":\"+{ecg[1..]}\"") };
        }

        return list;
    }

    private static byte[] ChangeOneByte(byte[] payload, string from, string to)
    {
        var text = System.Text.Encoding.UTF8.GetString(payload);
        var changed = System.Text.Encoding.UTF8.GetBytes(text.Replace(from, to, StringComparison.Ordinal));
        return changed.Length == payload.Length && changed.Where((b, i) => b != payload[i]).Count() == 1
            ? changed
            : throw new InvalidOperationException($"'{from}' not found once in the record to tamper with");
    }

    private static List<ChainRecord> Shuffle(List<ChainRecord> records, int seed)
    {
        // A fixed Fisher-Yates with our own LCG, so the order never depends on System.Random's algorithm.
        var state = (ulong)seed;
        for (var i = records.Count - 1; i > 0; i--)
        {
            state = (state * 6364136223846793005UL) + 1442695040888963407UL;
            var j = (int)((state >> 33) % (ulong)(i + 1));
            (records[i], records[j]) = (records[j], records[i]);
        }

        return records;
    }

    private static List<(string, byte[])> Topics(IEnumerable<ChainRecord> records) =>
        [.. records.Select(r => ($"edgetwin/v1/st-mary/{GwOf(r)}/{WireNames.Of(r.Lane)}", r.Payload))];

    private static string GwOf(ChainRecord r) => r.Epoch == Gw2Epoch ? Gw2 : Gw;

    /// <summary>Lets the forged vector switch keys for one checkpoint while the genesis names the genuine key.</summary>
    private sealed class SwitchableSigner(ICheckpointSigner genuine) : ICheckpointSigner
    {
        public ICheckpointSigner? Actual { get; set; }

        public string Address => genuine.Address;

        public string SignDigest(ReadOnlySpan<byte> digest) => (Actual ?? genuine).SignDigest(digest);
    }
}
