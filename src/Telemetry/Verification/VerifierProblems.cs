namespace EdgeTwin.Telemetry.Verification;

/// <summary>Stable names of everything a verifier can complain about (docs/protocol.md lists them).</summary>
public static class VerifierProblems
{
    public const string TooLarge = "too-large";
    public const string InvalidUtf8 = "invalid-utf8";
    public const string MalformedJson = "malformed-json";
    public const string NotAnObject = "not-an-object";
    public const string WrongEtp = "wrong-etp";
    public const string MissingMember = "missing-member";
    public const string DuplicateMember = "duplicate-member";
    public const string BadMember = "bad-member";
    public const string NonHexHash = "non-hex-hash";
    public const string SeqOutOfRange = "seq-out-of-range";
    public const string GenesisNotAtSeqZero = "genesis-not-at-seq-0";
    public const string CheckpointAtSeqZero = "checkpoint-at-seq-0";
    public const string BadGap = "bad-gap";
    /// <summary><c>bad-compact:&lt;what&gt;</c>: an <c>obs-compact</c> body that does not read (<see cref="Compact.CompactProblems"/>).</summary>
    public const string BadCompact = "bad-compact";
    public const string BeyondWindow = "beyond-window";
    public const string BehindWindow = "behind-window";
    public const string Fork = "fork";
    public const string BrokenLink = "broken-link";
    public const string BadSig = "bad-sig";
    public const string SignerMismatch = "signer-mismatch";
    public const string UnenrolledKey = "unenrolled-key";
    public const string InsideGap = "inside-gap";
    public const string TooManyChains = "too-many-chains";
    public const string ConflictingGap = "conflicting-gap";
    public const string Alternative = "alternative";
    public const string UnsignedBranch = "unsigned-branch";
    public const string TooManyAlternatives = "too-many-alternatives";
    public const string Equivocation = "equivocation";
    public const string BeforeStart = "before-start";

    /// <summary>
    /// Not a problem of the record: deciding it needs links the caller put at rest in its store
    /// (<see cref="VerifierOptions.LinksAtRestInCallerStore"/>); nothing changed, restore them and add it again.
    /// </summary>
    public const string LinksAtRest = "links-at-rest";
}
