namespace EdgeTwin.Telemetry.Receipts;

using EdgeTwin.Telemetry.Signing;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// A receipt (PROTOCOL §7): the ingest has stored and verified chain (gw, lane, epoch) through
/// <see cref="Seq"/>, whose record hash is <see cref="Hash"/>. Payload
/// <c>{"gw","lane","epoch","seq","hash","sig"}</c>; <c>sig</c> is the EIP-191 personal-sign by the
/// ingest key of SHA-256("ETP1-RECEIPT\n" + gw + "\n" + lane + "\n" + epoch + "\n" + seq + "\n" + hash).
/// The ingest builds and signs it, the gateway and <c>edgetwin receipt check</c> parse and verify it.
/// </summary>
public sealed record Receipt(string Gw, string Lane, string Epoch, long Seq, string Hash, string Sig)
{
    public const string Tag = "ETP1-RECEIPT";

    public static byte[] Digest(string gw, string lane, string epoch, long seq, string hash) =>
        SignedStatement.Digest(Tag, gw, lane, epoch, [seq], hash);

    public static Receipt Sign(string gw, string lane, string epoch, long seq, string hash, ICheckpointSigner ingestKey)
    {
        ArgumentNullException.ThrowIfNull(ingestKey);
        return new Receipt(gw, lane, epoch, seq, hash, ingestKey.SignDigest(Digest(gw, lane, epoch, seq, hash)));
    }

    public byte[] Digest() => Digest(Gw, Lane, Epoch, Seq, Hash);

    public byte[] ToPayload() => SignedStatement.Write(w =>
    {
        w.WriteString("gw", Gw);
        w.WriteString("lane", Lane);
        w.WriteString("epoch", Epoch);
        w.WriteNumber("seq", Seq);
        w.WriteString("hash", Hash);
        w.WriteString("sig", Sig);
    });

    /// <summary>Shape only (members, types, ranges); the signature is checked by <see cref="CheckSigner"/>. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Receipt? receipt, out string? problem)
    {
        receipt = null;
        var obj = SignedStatement.Read(payload, ["seq"], out problem);
        if (obj is null)
        {
            return false;
        }

        if (!SignedStatement.TryString(obj, "hash", out var hash) || !Syntax.IsLowerHex(hash, 64))
        {
            problem = StatementProblems.Malformed;
            return false;
        }

        SignedStatement.TryString(obj, "gw", out var gw);
        SignedStatement.TryString(obj, "lane", out var lane);
        SignedStatement.TryString(obj, "epoch", out var epoch);
        SignedStatement.TryString(obj, "sig", out var sig);
        SignedStatement.TryInteger(obj, "seq", out var seq);
        receipt = new Receipt(gw, lane, epoch, seq, hash, sig);
        return true;
    }

    /// <summary>Null when the signature is canonical and by one of <paramref name="signers"/>; else the problem.</summary>
    public string? CheckSigner(IReadOnlyCollection<string> signers, out string? signer) =>
        SignedStatement.CheckSigner(Digest(), Sig, signers, out signer);
}
