namespace EdgeTwin.Ingest.Enrolment;

/// <summary>Why the ingest refuses a record of a chain it verified before (evidence <c>problem</c> prefixes; docs/ingest.md).</summary>
internal static class EnrolmentProblems
{
    /// <summary>The chain's key is revoked (<c>Ingest:EnrolmentFile</c> <c>revoked</c>).</summary>
    public const string RevokedKey = "revoked-key";

    /// <summary>The chain's key is no longer the gateway's enrolled address (re-enrolled, or the gateway removed).</summary>
    public const string KeyCutOff = "key-cut-off";
}
