namespace EdgeTwin.Telemetry.Receipts;

/// <summary>Why a receipt or re-send request was refused; stable names for metrics, logs and tests.</summary>
public static class StatementProblems
{
    public const string TooLarge = "too-large";
    public const string Malformed = "malformed";

    /// <summary>Followed by <c>:</c> and the <see cref="Signing.Eip191"/> problem (<c>bad-signature:sig-length</c>).</summary>
    public const string BadSignature = "bad-signature";

    public const string UnlistedSigner = "unlisted-signer";
    public const string WrongGw = "wrong-gw";
    public const string UnknownEpoch = "unknown-epoch";
    public const string BeyondHead = "beyond-head";
    public const string HashMismatch = "hash-mismatch";
    public const string NotHeld = "not-held";
    public const string BadRange = "bad-range";

    /// <summary>The gateway's outbox is closed after a failed write (a full disk): the record a receipt names cannot be looked at now.</summary>
    public const string OutboxClosed = "outbox-closed";

    /// <summary>The metric tag of a problem: its name without the detail after <c>:</c>.</summary>
    public static string Kind(string problem) => problem.Split(':', 2)[0];
}
