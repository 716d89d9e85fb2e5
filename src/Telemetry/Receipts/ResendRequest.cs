namespace EdgeTwin.Telemetry.Receipts;

using EdgeTwin.Telemetry.Signing;

/// <summary>
/// A re-send request (docs/protocol.md §7): the ingest asks gateway <see cref="Gw"/> to publish
/// records <see cref="From"/>..<see cref="To"/> of chain (gw, lane, epoch) again. Payload
/// <c>{"gw","lane","epoch","from","to","sig"}</c>; <c>sig</c> is the EIP-191 personal-sign by the
/// ingest key (the receipts' key) of SHA-256("ETP1-RESEND\n" + gw + "\n" + lane + "\n" + epoch +
/// "\n" + from + "\n" + to).
/// </summary>
public sealed record ResendRequest(string Gw, string Lane, string Epoch, long From, long To, string Sig)
{
    public const string Tag = "ETP1-RESEND";

    public static byte[] Digest(string gw, string lane, string epoch, long from, long to) =>
        SignedStatement.Digest(Tag, gw, lane, epoch, [from, to], null);

    public static ResendRequest Sign(string gw, string lane, string epoch, long from, long to, ICheckpointSigner ingestKey)
    {
        ArgumentNullException.ThrowIfNull(ingestKey);
        return new ResendRequest(gw, lane, epoch, from, to, ingestKey.SignDigest(Digest(gw, lane, epoch, from, to)));
    }

    public byte[] Digest() => Digest(Gw, Lane, Epoch, From, To);

    public byte[] ToPayload() => SignedStatement.Write(w =>
    {
        w.WriteString("gw", Gw);
        w.WriteString("lane", Lane);
        w.WriteString("epoch", Epoch);
        w.WriteNumber("from", From);
        w.WriteNumber("to", To);
        w.WriteString("sig", Sig);
    });

    /// <summary>Shape only, with <c>from &lt;= to</c>; the signature is checked by <see cref="CheckSigner"/>. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out ResendRequest? request, out string? problem)
    {
        request = null;
        var obj = SignedStatement.Read(payload, ["from", "to"], out problem);
        if (obj is null)
        {
            return false;
        }

        SignedStatement.TryInteger(obj, "from", out var from);
        SignedStatement.TryInteger(obj, "to", out var to);
        if (from > to)
        {
            problem = StatementProblems.BadRange;
            return false;
        }

        SignedStatement.TryString(obj, "gw", out var gw);
        SignedStatement.TryString(obj, "lane", out var lane);
        SignedStatement.TryString(obj, "epoch", out var epoch);
        SignedStatement.TryString(obj, "sig", out var sig);
        request = new ResendRequest(gw, lane, epoch, from, to, sig);
        return true;
    }

    /// <summary>Null when the signature is canonical and by one of <paramref name="signers"/>; else the problem.</summary>
    public string? CheckSigner(IReadOnlyCollection<string> signers, out string? signer) =>
        SignedStatement.CheckSigner(Digest(), Sig, signers, out signer);
}
