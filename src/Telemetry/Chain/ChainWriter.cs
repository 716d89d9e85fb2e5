namespace EdgeTwin.Telemetry.Chain;

using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Compact;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// Builds the records of one chain (gw, lane, epoch): seq and prev, checkpoints on the cadence of
/// PROTOCOL §5, gap statements, genesis. No I/O and no clock of its own: callers pass <c>now</c> and
/// persist <see cref="State"/> with each record. Not thread-safe; one writer per chain.
/// A call that throws changes nothing.
/// </summary>
public sealed class ChainWriter
{
    private readonly ICheckpointSigner signer;
    private readonly RecordSerializer serializer;
    private readonly string laneName;
    private ChainState state;
    private CheckpointPolicy policy;

    private ChainWriter(ChainState state, ICheckpointSigner signer, CheckpointPolicy policy)
    {
        this.state = state;
        this.signer = signer;
        this.policy = policy;
        laneName = WireNames.Of(state.Lane);
        serializer = new RecordSerializer(state.Gw, state.Lane, state.Epoch);
    }

    public ChainState State => state;

    /// <summary>May change while running; takes effect at the next <see cref="CheckpointIfDue"/>.</summary>
    public CheckpointPolicy Policy
    {
        get => policy;
        set => policy = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// When the delay rule will fire: <c>FirstUncoveredAt + MaxDelay</c>, or at once on the alarm lane;
    /// null when nothing is uncovered.
    /// </summary>
    public DateTimeOffset? NextCheckpointDue => state.FirstUncoveredAt is not { } first
        ? null
        : state.Lane == Lane.Alarm ? first : first + policy.MaxDelay;

    /// <summary>Starts a new epoch with its genesis record (seq 0).</summary>
    public static ChainWriter StartNew(
        string gw,
        Lane lane,
        ICheckpointSigner signer,
        CheckpointPolicy policy,
        GenesisReason reason,
        string software,
        DateTimeOffset now,
        ClockQuality clock,
        out ChainRecord genesis,
        string? epoch = null,
        KeyRotationLink? rotation = null)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(software);
        if (!Syntax.IsName(gw))
        {
            throw new ArgumentException($"gw must match {WireNames.NameRule} (PROTOCOL §1), got '{gw}'", nameof(gw));
        }

        epoch ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (!Syntax.IsLowerHex(epoch, 32))
        {
            throw new ArgumentException("epoch must be 32 lowercase hex digits (PROTOCOL §3)", nameof(epoch));
        }

        if (!Syntax.IsAddress(signer.Address))
        {
            throw new ArgumentException("signer address must be 0x + 40 hex digits", nameof(signer));
        }

        _ = WireNames.Of(reason);
        if ((reason == GenesisReason.KeyRotation) != (rotation is not null))
        {
            throw new ArgumentException("a key-rotation genesis carries the old key's rotation link, and only it does", nameof(rotation));
        }

        var writer = new ChainWriter(new ChainState(gw, lane, epoch, -1, Syntax.ZeroHash, 0, null, signer.Address), signer, policy);
        genesis = writer.Append("genesis", BodyWriters.Genesis(signer.Address, reason, software, rotation), now, clock, covers: true);
        return writer;
    }

    /// <summary>Continues a persisted chain: the next record gets <c>state.Seq + 1</c> and <c>prev = state.Hash</c>.</summary>
    public static ChainWriter Resume(ChainState state, ICheckpointSigner signer, CheckpointPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(policy);
        if (!Syntax.IsName(state.Gw) || !Syntax.IsLowerHex(state.Epoch, 32) || !Syntax.IsLowerHex(state.Hash, 64)
            || state.Seq < 0 || state.Seq > Limits.MaxSeq || state.UncoveredCount < 0
            || (state.UncoveredCount > 0) != state.FirstUncoveredAt.HasValue)
        {
            throw new ArgumentException("persisted chain state is not a valid head (gw, 32-hex epoch, seq >= 0, 64-hex hash, uncovered count consistent)", nameof(state));
        }

        if (state.Key is { } key && !string.Equals(key, signer.Address, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"the chain is signed by {key}; {signer.Address} may not sign it", nameof(signer));
        }

        _ = WireNames.Of(state.Lane);
        return new ChainWriter(state, signer, policy);
    }

    /// <summary>Upper bound of the size of an obs record with this body, so producers split runs under 64 KiB.</summary>
    public static int EstimateObsSize(ObsBody body)
    {
        ValidateObs(body);
        return RecordSerializer.MaxEnvelopeBytes + RecordSerializer.MeasureBody(BodyWriters.Obs(body));
    }

    public ChainRecord AppendObs(ObsBody body, DateTimeOffset now, ClockQuality clock)
    {
        ValidateObs(body);
        return Append("obs", BodyWriters.Obs(body), now, clock, covers: true);
    }

    /// <summary>Upper bound of the size of an <c>obs-compact</c> record with this body (encodes the samples once).</summary>
    public static int EstimateObsCompactSize(CompactObsBody body)
    {
        var samples = EncodeCompact(body);
        return RecordSerializer.MaxEnvelopeBytes + RecordSerializer.MeasureBody(BodyWriters.ObsCompact(body, samples));
    }

    /// <summary>
    /// Appends an <c>obs-compact</c> record. Throws <see cref="ArgumentException"/> for a body ETP/1
    /// cannot carry (no stream, an empty run, a sample beyond 2^53-1 steps of its quantum) and
    /// <see cref="RecordTooLargeException"/> over 64 KiB; either changes nothing.
    /// </summary>
    public ChainRecord AppendObsCompact(CompactObsBody body, DateTimeOffset now, ClockQuality clock)
    {
        var samples = EncodeCompact(body);
        return Append(RecordKinds.ObsCompact, BodyWriters.ObsCompact(body, samples), now, clock, covers: true);
    }

    public ChainRecord AppendAlarm(AlarmBody body, DateTimeOffset now, ClockQuality clock)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequireText(body.Patient, nameof(body.Patient));
        RequireText(body.Device, nameof(body.Device));
        RequireText(body.Condition, nameof(body.Condition));
        ArgumentNullException.ThrowIfNull(body.Text);
        if (body.Priority is not ("high" or "medium" or "low"))
        {
            throw new ArgumentException("alarm priority must be high, medium or low", nameof(body));
        }

        if (body.State is not ("raised" or "cleared" or "acknowledged"))
        {
            throw new ArgumentException("alarm state must be raised, cleared or acknowledged", nameof(body));
        }

        if (body.Source is not ("rule" or "news2") && !(body.Source?.StartsWith("model:", StringComparison.Ordinal) == true && body.Source.Length > 6))
        {
            throw new ArgumentException("alarm source must be rule, news2 or model:<id>", nameof(body));
        }

        return Append("alarm", BodyWriters.Alarm(body), now, clock, covers: true);
    }

    public ChainRecord AppendEvent(string type, JsonObject? fields, DateTimeOffset now, ClockQuality clock)
    {
        RequireText(type, nameof(type));
        if (fields?.ContainsKey("type") == true)
        {
            throw new ArgumentException("event fields must not contain 'type': it would repeat the member", nameof(fields));
        }

        return Append("event", BodyWriters.Event(type, fields), now, clock, covers: true);
    }

    /// <summary>States that records <paramref name="from"/>..<paramref name="to"/> of this chain were dropped unsent.</summary>
    public ChainRecord AppendGap(long from, long to, string firstPrev, string lastHash, string reason, DateTimeOffset now, ClockQuality clock)
    {
        if (from < 1 || to < from || to > state.Seq)
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"gap {from}..{to} must lie within 1..{state.Seq} (records already written)");
        }

        if (!Syntax.IsLowerHex(firstPrev, 64) || !Syntax.IsLowerHex(lastHash, 64))
        {
            throw new ArgumentException("firstPrev and lastHash must be 64 lowercase hex digits", nameof(firstPrev));
        }

        RequireText(reason, nameof(reason));
        return Append("gap", BodyWriters.Gap(from, to, firstPrev, lastHash, reason), now, clock, covers: true);
    }

    /// <summary>
    /// Writes a checkpoint when the policy says so: <see cref="CheckpointPolicy.MaxRecords"/> uncovered
    /// records, <see cref="CheckpointPolicy.MaxDelay"/> since the first of them, or on the alarm lane
    /// as soon as anything is uncovered. Null when not due. A clock now earlier than the first
    /// uncovered record's went back (a clock step, PROTOCOL §9): the delay can no longer be measured
    /// from that record, so the checkpoint is due at once rather than once the clock has caught up
    /// again (two hours for a two-hour step, with those records unverified and unreceipted meanwhile).
    /// </summary>
    public ChainRecord? CheckpointIfDue(DateTimeOffset now, ClockQuality clock)
    {
        if (state.UncoveredCount == 0)
        {
            return null;
        }

        var due = state.Lane == Lane.Alarm
            || state.UncoveredCount >= policy.MaxRecords
            || now >= state.FirstUncoveredAt + policy.MaxDelay
            || now < state.FirstUncoveredAt;
        return due ? Checkpoint(now, clock) : null;
    }

    /// <summary>Forced checkpoint (graceful stop); null when every record is already covered.</summary>
    public ChainRecord? Checkpoint(DateTimeOffset now, ClockQuality clock)
    {
        if (state.UncoveredCount == 0)
        {
            return null;
        }

        var digest = CheckpointDigest.Compute(state.Gw, laneName, state.Epoch, state.Seq, state.Hash);
        var sig = signer.SignDigest(digest);
        if (sig.Length != 132 || !sig.StartsWith("0x", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("signer returned a malformed signature");
        }

        return Append("checkpoint", BodyWriters.Checkpoint(sig), now, clock, covers: false);
    }

    /// <param name="covers">
    /// Whether the record needs a later checkpoint. A checkpoint does not: counting it would make an
    /// idle chain sign its own checkpoints forever. The next checkpoint covers it anyway.
    /// </param>
    private ChainRecord Append(string kind, Action<Utf8JsonWriter> body, DateTimeOffset now, ClockQuality clock, bool covers)
    {
        if (state.Seq >= Limits.MaxSeq)
        {
            throw new InvalidOperationException($"seq would pass {Limits.MaxSeq}; start a new epoch");
        }

        _ = WireNames.Of(clock);
        var seq = state.Seq + 1;
        var (payload, hash) = serializer.Build(seq, state.Hash, now, clock, kind, body);
        var record = new ChainRecord(state.Lane, state.Epoch, seq, kind, state.Hash, hash, payload);
        state = covers
            ? state with { Seq = seq, Hash = hash, UncoveredCount = state.UncoveredCount + 1, FirstUncoveredAt = state.FirstUncoveredAt ?? now }
            : state with { Seq = seq, Hash = hash, UncoveredCount = 0, FirstUncoveredAt = null };
        return record;
    }

    private static void ValidateObs(ObsBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequireText(body.Patient, nameof(body.Patient));
        RequireText(body.Device, nameof(body.Device));
        RequireText(body.Code, nameof(body.Code));
        ArgumentNullException.ThrowIfNull(body.Unit);
        ArgumentNullException.ThrowIfNull(body.Values);
        if (!double.IsFinite(body.Dt) || body.Dt < 0)
        {
            throw new ArgumentException("dt must be a finite number >= 0", nameof(body));
        }

        if (body.Values.Count == 0)
        {
            throw new ArgumentException("an obs record carries at least one sample", nameof(body));
        }
    }

    private static string[] EncodeCompact(CompactObsBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        RequireText(body.Patient, nameof(body.Patient));
        RequireText(body.Device, nameof(body.Device));
        ArgumentNullException.ThrowIfNull(body.Streams);
        if (body.Streams.Count == 0)
        {
            throw new ArgumentException("an obs-compact record carries at least one stream", nameof(body));
        }

        var samples = new string[body.Streams.Count];
        for (var i = 0; i < samples.Length; i++)
        {
            var s = body.Streams[i] ?? throw new ArgumentException("a stream is null", nameof(body));
            RequireText(s.Code, nameof(s.Code));
            ArgumentNullException.ThrowIfNull(s.Unit);
            ArgumentNullException.ThrowIfNull(s.Q);
            ArgumentNullException.ThrowIfNull(s.Values);
            if (!double.IsFinite(s.Dt) || s.Dt < 0)
            {
                throw new ArgumentException($"stream {s.Code}: dt must be a finite number >= 0", nameof(body));
            }

            if (s.Values.Count is 0 or > Compact.CompactBodyReader.MaxSamples)
            {
                throw new ArgumentException($"stream {s.Code}: a run carries 1 to {Compact.CompactBodyReader.MaxSamples} samples", nameof(body));
            }

            samples[i] = CompactSamples.Encode(s.Values, s.Q);
        }

        return samples;
    }

    private static void RequireText(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{name} must be a non-empty string", name);
        }
    }
}
