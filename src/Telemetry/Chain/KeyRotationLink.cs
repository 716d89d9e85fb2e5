namespace EdgeTwin.Telemetry.Chain;

using System.Globalization;
using System.Text.Json;
using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// How a chain hands over to a new gateway key (docs/protocol.md §4, "Key rotation"). The old chain
/// ends with a <c>key-rotation</c> event naming the new address and the checkpoint covering it, both
/// under the old key; the new chain's genesis (reason <c>key-rotation</c>) carries this link:
/// <c>"rotation":{"epoch","seq","hash","sig"}</c>, the old chain's epoch, the seq and hash of its last
/// record (that checkpoint), and the old key's EIP-191 signature of
/// SHA-256("ETP1-KEY-ROTATION\n" + gw + "\n" + lane + "\n" + epoch + "\n" + seq + "\n" + hash + "\n" + new address in lowercase).
/// A verifier that knows the old key learns the new one from the genesis alone, in whatever order the
/// two chains arrive.
/// </summary>
public sealed record KeyRotationLink(string Epoch, long Seq, string Hash, string Sig)
{
    public const string Tag = "ETP1-KEY-ROTATION";

    /// <summary>The event type that ends the old chain (<c>{"type":"key-rotation","key":"0x…"}</c>).</summary>
    public const string EventType = "key-rotation";

    public static byte[] Digest(string gw, string lane, string epoch, long seq, string hash, string newKey) =>
        SignedStatement.Digest(Tag, gw, lane, epoch, [seq], hash + "\n" + newKey.ToLowerInvariant());

    /// <summary>The link from the old chain's last record (<paramref name="oldHead"/>) to <paramref name="newKey"/>, signed by the old key.</summary>
    public static KeyRotationLink Sign(ChainState oldHead, string newKey, ICheckpointSigner oldKey)
    {
        ArgumentNullException.ThrowIfNull(oldHead);
        ArgumentNullException.ThrowIfNull(oldKey);
        if (!Syntax.IsAddress(newKey))
        {
            throw new ArgumentException("the new key must be an address (0x + 40 hex digits)", nameof(newKey));
        }

        var digest = Digest(oldHead.Gw, WireNames.Of(oldHead.Lane), oldHead.Epoch, oldHead.Seq, oldHead.Hash, newKey);
        return new KeyRotationLink(oldHead.Epoch, oldHead.Seq, oldHead.Hash, oldKey.SignDigest(digest));
    }

    /// <summary>The address that signed this link for (gw, lane, new key); null with the problem when the signature does not recover.</summary>
    public string? Signer(string gw, string lane, string newKey, out string? problem)
    {
        if (!Eip191.TryRecover(Digest(gw, lane, Epoch, Seq, Hash, newKey), Sig, out var signer, out var sigProblem))
        {
            problem = $"bad-signature:{sigProblem}";
            return null;
        }

        problem = null;
        return signer;
    }

    /// <summary>
    /// Reads <c>rotation</c> of a genesis body: null without a problem when the body has none; a link
    /// when it is well formed (epoch 32 lowercase hex, seq an integer 1 .. 2^53-1, hash 64 lowercase hex,
    /// sig a string); null with the problem otherwise. Never throws.
    /// </summary>
    public static KeyRotationLink? Read(JsonElement body, out string? problem)
    {
        problem = null;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("rotation", out var r))
        {
            return null;
        }

        problem = "malformed-rotation: rotation must be {\"epoch\":32 lowercase hex,\"seq\":integer,\"hash\":64 lowercase hex,\"sig\":\"0x…\"}";
        if (r.ValueKind != JsonValueKind.Object
            || !r.TryGetProperty("epoch", out var e) || e.ValueKind != JsonValueKind.String || e.GetString() is not { } epoch || !Syntax.IsLowerHex(epoch, 32)
            || !r.TryGetProperty("seq", out var s) || s.ValueKind != JsonValueKind.Number
            || !long.TryParse(s.GetRawText(), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || seq < 1 || seq > Limits.MaxSeq
            || !r.TryGetProperty("hash", out var h) || h.ValueKind != JsonValueKind.String || h.GetString() is not { } hash || !Syntax.IsLowerHex(hash, 64)
            || !r.TryGetProperty("sig", out var g) || g.ValueKind != JsonValueKind.String || g.GetString() is not { } sig)
        {
            return null;
        }

        problem = null;
        return new KeyRotationLink(epoch, seq, hash, sig);
    }

    internal void Write(Utf8JsonWriter w)
    {
        w.WritePropertyName("rotation");
        w.WriteStartObject();
        w.WriteString("epoch", Epoch);
        w.WriteNumber("seq", Seq);
        w.WriteString("hash", Hash);
        w.WriteString("sig", Sig);
        w.WriteEndObject();
    }
}
