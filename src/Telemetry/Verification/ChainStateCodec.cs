namespace EdgeTwin.Telemetry.Verification;

using System.Text;
using System.Text.Json;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// The persisted form of a <see cref="ChainVerifierState"/>: compact bytes, every hash as its 32 raw
/// bytes and every number as a variable-length integer (about 40 bytes per held record whose prev is
/// the record before it, 34 per remembered link; the JSON it replaces took about 250 and 80). It starts with a zero byte, so it is
/// never taken for the JSON that ingests before 2026-12 stored, which <see cref="Decode"/> still reads.
/// Anything else that does not decode is an <see cref="InvalidDataException"/> naming what is wrong.
/// </summary>
public static class ChainStateCodec
{
    // Version 2 (2026-12-07) has the layout of 1; its remembered links list only those not at rest in the
    // ingest's store (docs/ingest.md "Memory per chain"). A worker that knows only version 1 would take the
    // seqs at rest for seqs a gap statement passed; it refuses version 2 instead (chain-state-unreadable),
    // loudly, until it is upgraded. This one reads both the same way (1 as written since links went to rest).
    private const byte Version = 2;
    private const byte FirstVersion = 1;
    private static readonly byte[] Magic = [0, (byte)'E', (byte)'S', Version];

    public static byte[] Encode(ChainVerifierState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var head = new Head(state.Chain, state.Key, state.LinkedThrough, ParseHash(state.HeadHash), state.VerifiedThrough, state.Broken, state.Unenrolled,
            state.HighestSeq, state.Start, state.BeforeStart, state.Counters, state.Problems, state.HeadPrev, state.HeadAlternative);
        return Encode(head, state.Held.Count, HeldOf(state.Held), state.Recent.Count, RecentOf(state.Recent));
    }

    /// <summary>What a state holds besides its held records and remembered links, hashes as bytes.</summary>
    internal readonly record struct Head(
        ChainKey Chain, string? Key, long LinkedThrough, Hash32 HeadHash, long VerifiedThrough, bool Broken, bool Unenrolled,
        long HighestSeq, long Start, long BeforeStart, ChainCounters Counters, IReadOnlyList<string> Problems, string? HeadPrev, string? HeadAlternative);

    /// <summary>A held record, hashes as bytes (<see cref="HeldRecordState"/> carries them as hex).</summary>
    internal readonly record struct Held(long Seq, Hash32 Hash, Hash32 Prev, string Kind, string? GenesisKey, string? Signer, string? SigProblem, GapStatement? Gap);

    // The hex of a state parsed lazily, in the order the bytes are written: the first hash that is not
    // 64 lowercase hex digits is the one the refusal names, whichever way the state came.
    private static IEnumerable<Held> HeldOf(IReadOnlyList<HeldRecordState> held)
    {
        foreach (var h in held)
        {
            var hash = ParseHash(h.Hash);
            yield return new Held(h.Seq, hash, ParseHash(h.Prev), h.Kind, h.GenesisKey, h.Signer, h.SigProblem, h.Gap);
        }
    }

    private static IEnumerable<(long Seq, Hash32? Hash)> RecentOf(IReadOnlyList<KeyValuePair<long, string?>> recent)
    {
        foreach (var (seq, hash) in recent)
        {
            yield return (seq, hash is null ? null : ParseHash(hash));
        }
    }

    /// <summary>
    /// The bytes of a state given with its hashes as bytes: what <see cref="Encode(ChainVerifierState)"/>
    /// writes for the same state (the verifier's own export takes this way, without making a hex string of every hash).
    /// </summary>
    internal static byte[] Encode(in Head state, int heldCount, IEnumerable<Held> held, int recentCount, IEnumerable<(long Seq, Hash32? Hash)> recent)
    {
        using var ms = new MemoryStream(256 + (heldCount * 72) + (recentCount * 34));
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(state.Chain.Gw);
            w.Write((byte)state.Chain.Lane);
            w.Write(state.Chain.Epoch);
            Text(w, state.Key);
            Number(w, state.LinkedThrough);
            Hash(w, state.HeadHash);
            Number(w, state.VerifiedThrough);
            w.Write((byte)((state.Broken ? 1 : 0) | (state.Unenrolled ? 2 : 0)));
            Number(w, state.HighestSeq);
            Number(w, state.Start);
            Number(w, state.BeforeStart);
            var c = state.Counters;
            foreach (var n in (long[])[c.Received, c.Duplicates, c.Forks, c.GapCovered, c.Verified, c.LinkedUnverified, c.BadSigs, c.BrokenLinks, c.UnknownSigner, c.Rejected, c.BeyondWindow, c.BehindWindow, c.InsideGap, c.ProblemsDropped, c.UnsignedBranch])
            {
                Number(w, n);
            }

            w.Write7BitEncodedInt(heldCount);
            var (lastSeq, lastHash, written) = (0L, (Hash32?)null, 0);
            foreach (var h in held)
            {
                // Held records mostly follow each other: a prev that is the hash just written is a flag, not 32 bytes.
                var linksLast = h.Seq == lastSeq + 1 && h.Prev == lastHash;
                w.Write((byte)((linksLast ? HeldFlags.LinksLast : 0) | (h.GenesisKey is null ? 0 : HeldFlags.GenesisKey)
                    | (h.Signer is null ? 0 : HeldFlags.Signer) | (h.SigProblem is null ? 0 : HeldFlags.SigProblem) | (h.Gap is null ? 0 : HeldFlags.Gap)));
                Number(w, h.Seq - lastSeq);
                Hash(w, h.Hash);
                if (!linksLast)
                {
                    Hash(w, h.Prev);
                }

                w.Write(h.Kind);
                foreach (var s in (string?[])[h.GenesisKey, h.Signer, h.SigProblem])
                {
                    if (s is not null)
                    {
                        w.Write(s);
                    }
                }

                if (h.Gap is { } g)
                {
                    Number(w, g.From);
                    Number(w, g.To);
                    w.Write(g.FirstPrev);
                    w.Write(g.LastHash);
                }

                (lastSeq, lastHash) = (h.Seq, h.Hash);
                written++;
            }

            w.Write7BitEncodedInt(recentCount);
            lastSeq = 0;
            foreach (var (seq, hash) in recent)
            {
                Number(w, seq - lastSeq);
                lastSeq = seq;
                w.Write(hash.HasValue);
                if (hash is { } known)
                {
                    Hash(w, known);
                }

                written++;
            }

            if (written != heldCount + recentCount)
            {
                throw new InvalidOperationException($"chain state of {state.Chain}: {heldCount} held records and {recentCount} links announced, {written} written");
            }

            w.Write7BitEncodedInt(state.Problems.Count);
            foreach (var p in state.Problems)
            {
                w.Write(p);
            }

            Text(w, state.HeadPrev);
            Text(w, state.HeadAlternative);
        }

        return ms.ToArray();
    }

    /// <summary>Reads what <see cref="Encode(ChainVerifierState)"/> wrote, or the JSON text ingests stored before it.</summary>
    public static ChainVerifierState Decode(ReadOnlySpan<byte> stored)
    {
        if (stored.IsEmpty)
        {
            throw new InvalidDataException("stored chain state is empty");
        }

        if (stored[0] != 0)
        {
            ChainVerifierState state;
            try
            {
                Present(stored);
                state = JsonSerializer.Deserialize(stored, ChainStateJsonContext.Default.ChainVerifierState) ?? throw new InvalidDataException("stored chain state is JSON null");
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"stored chain state is neither the compact form nor JSON: {ex.Message}", ex);
            }

            return Complete(state);
        }

        var c = DecodeCompact(stored);
        var h = c.Head;
        return new ChainVerifierState(h.Chain, h.Key, h.LinkedThrough, h.HeadHash.ToString(), h.VerifiedThrough, h.Broken, h.Unenrolled, h.HighestSeq, h.Counters,
            [.. c.Held.Select(r => new HeldRecordState(r.Seq, r.Hash.ToString(), r.Prev.ToString(), r.Kind, r.GenesisKey, r.Signer, r.SigProblem, r.Gap))],
            [.. c.Recent.Select(r => new KeyValuePair<long, string?>(r.Seq, r.Hash?.ToString()))],
            h.Problems, h.HeadPrev, h.HeadAlternative, h.Start, h.BeforeStart);
    }

    // JSON leaves out what it does not hold: a member missing (or null) would otherwise be taken as nothing
    // (counters of 0) or fail the import deep inside (a NullReferenceException: the batch retried for ever)
    // instead of saying the state is unreadable.
    private static readonly string[] JsonMembers = ["Chain", "HeadHash", "Counters", "Held", "Recent", "Problems"];

    private static void Present(ReadOnlySpan<byte> stored)
    {
        var reader = new Utf8JsonReader(stored);
        using var json = JsonDocument.ParseValue(ref reader);
        if (json.RootElement.ValueKind != JsonValueKind.Object)
        {
            return; // JSON null (said below) or not an object (the deserializer names it)
        }

        foreach (var member in JsonMembers)
        {
            if (!json.RootElement.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                throw new InvalidDataException($"stored chain state (JSON) lacks {member}");
            }
        }
    }

    private static ChainVerifierState Complete(ChainVerifierState state)
    {
        var missing = state switch
        {
            { Chain.Gw: null } or { Chain.Epoch: null } => "Chain.Gw or Chain.Epoch",
            _ when state.Held.Any(h => h is null || h.Kind is null) => "Held[].Kind",
            _ when state.Problems.Any(p => p is null) => "Problems[]",
            _ => null,
        };
        return missing is null ? state : throw new InvalidDataException($"stored chain state (JSON) lacks {missing}");
    }

    /// <summary>Whether <paramref name="stored"/> is in the compact form (else, if anything, the JSON of ingests before 2026-12).</summary>
    public static bool IsCompact(ReadOnlySpan<byte> stored) => !stored.IsEmpty && stored[0] == 0;

    /// <summary>A state in the compact form, its hashes as bytes: what <see cref="Decode"/> gives, without a hex string of each.</summary>
    internal sealed record Compact(Head Head, Held[] Held, (long Seq, Hash32? Hash)[] Recent);

    /// <summary>
    /// Reads the compact form (<see cref="IsCompact"/>) straight into hashes; <see cref="Decode"/> of the same
    /// bytes is this with every hash as hex. An <see cref="InvalidDataException"/> names what is wrong.
    /// </summary>
    internal static Compact DecodeCompact(ReadOnlySpan<byte> stored)
    {
        if (stored.Length < Magic.Length || !stored[..(Magic.Length - 1)].SequenceEqual(Magic.AsSpan(0, Magic.Length - 1))
            || stored[Magic.Length - 1] is < FirstVersion or > Version)
        {
            throw new InvalidDataException($"stored chain state has an unknown header {Convert.ToHexString(stored[..Math.Min(4, stored.Length)])} (compact form version {FirstVersion} to {Version} expected)");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(stored[Magic.Length..].ToArray()), Encoding.UTF8);
            var gw = r.ReadString();
            var lane = r.ReadByte() switch
            {
                (byte)Lane.Telemetry => Lane.Telemetry,
                (byte)Lane.Alarm => Lane.Alarm,
                var b => throw new InvalidDataException($"stored chain state has an unknown lane {b}"),
            };
            var chain = new ChainKey(gw, lane, r.ReadString());
            var key = Text(r);
            var linkedThrough = Number(r);
            var head = Hash(r);
            var verifiedThrough = Number(r);
            var flags = r.ReadByte();
            var highest = Number(r);
            var start = Number(r);
            var beforeStart = Number(r);
            var n = new long[15];
            for (var i = 0; i < n.Length; i++)
            {
                n[i] = Number(r);
            }

            var counters = new ChainCounters(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10], n[11], n[12], n[13], n[14]);
            var held = new Held[Count(r, 35)];
            var (lastSeq, lastHash) = (0L, (Hash32?)null);
            for (var i = 0; i < held.Length; i++)
            {
                var f = r.ReadByte();
                if ((f & ~HeldFlags.All) != 0)
                {
                    throw new InvalidDataException($"stored chain state has unknown held-record flags {f:x2}");
                }

                var seq = lastSeq + Number(r);
                var hash = Hash(r);
                var prev = (f & HeldFlags.LinksLast) == 0 ? Hash(r)
                    : lastHash ?? throw new InvalidDataException($"stored chain state's first held record (seq {seq}) links to a record before it, and there is none");
                var kind = string.Intern(r.ReadString());
                var genesisKey = (f & HeldFlags.GenesisKey) != 0 ? r.ReadString() : null;
                var signer = (f & HeldFlags.Signer) != 0 ? r.ReadString() : null;
                var sigProblem = (f & HeldFlags.SigProblem) != 0 ? r.ReadString() : null;
                var gap = (f & HeldFlags.Gap) != 0 ? new GapStatement(Number(r), Number(r), r.ReadString(), r.ReadString()) : null;
                held[i] = new Held(seq, hash, prev, kind, genesisKey, signer, sigProblem, gap);
                (lastSeq, lastHash) = (seq, hash);
            }

            var recent = new (long Seq, Hash32? Hash)[Count(r, 2)];
            lastSeq = 0;
            for (var i = 0; i < recent.Length; i++)
            {
                var seq = lastSeq += Number(r);
                recent[i] = (seq, r.ReadBoolean() ? Hash(r) : null);
            }

            var problems = new string[Count(r, 1)];
            for (var i = 0; i < problems.Length; i++)
            {
                problems[i] = r.ReadString();
            }

            var headPrev = Text(r);
            var headAlternative = Text(r);
            if (r.BaseStream.Position != r.BaseStream.Length)
            {
                throw new InvalidDataException($"stored chain state has {r.BaseStream.Length - r.BaseStream.Position} bytes after its end");
            }

            var state = new Head(chain, key, linkedThrough, head, verifiedThrough, (flags & 1) != 0, (flags & 2) != 0, highest, start, beforeStart, counters, problems, headPrev, headAlternative);
            return new Compact(state, held, recent);
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException or IOException)
        {
            throw new InvalidDataException($"stored chain state is cut short or malformed: {ex.Message}", ex);
        }
    }

    private static class HeldFlags
    {
        public const int LinksLast = 1, GenesisKey = 2, Signer = 4, SigProblem = 8, Gap = 16, All = 31;
    }

    // Zigzag, so the -1 of "nothing yet" takes one byte.
    private static void Number(BinaryWriter w, long n) => w.Write7BitEncodedInt64((n << 1) ^ (n >> 63));

    private static long Number(BinaryReader r)
    {
        var z = (ulong)r.Read7BitEncodedInt64();
        return (long)(z >> 1) ^ -(long)(z & 1);
    }

    private static void Text(BinaryWriter w, string? s)
    {
        w.Write(s is not null);
        if (s is not null)
        {
            w.Write(s);
        }
    }

    private static string? Text(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static Hash32 ParseHash(string hex) =>
        Hash32.TryParse(hex, out var h) ? h : throw new ArgumentException($"chain state holds a hash that is not 64 lowercase hex digits: '{hex}'", nameof(hex));

    private static void Hash(BinaryWriter w, Hash32 h)
    {
        Span<byte> bytes = stackalloc byte[32];
        h.WriteTo(bytes);
        w.Write(bytes);
    }

    private static Hash32 Hash(BinaryReader r)
    {
        Span<byte> bytes = stackalloc byte[32];
        r.BaseStream.ReadExactly(bytes);
        return Hash32.FromBytes(bytes);
    }

    // A count larger than the bytes left could hold is malformed: refuse it before allocating.
    private static int Count(BinaryReader r, int minBytesEach)
    {
        var n = r.Read7BitEncodedInt();
        if (n < 0 || (long)n * minBytesEach > r.BaseStream.Length - r.BaseStream.Position)
        {
            throw new InvalidDataException($"stored chain state claims {n} entries where the bytes left hold fewer");
        }

        return n;
    }
}
