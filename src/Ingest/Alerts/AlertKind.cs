namespace EdgeTwin.Ingest.Alerts;

/// <summary>Wire ids of alerts (GET /api/alerts <c>kind</c>, metric tag, log text).</summary>
internal static class AlertKind
{
    public const string Fork = "fork";
    public const string BrokenLink = "broken-link";
    public const string BadSignature = "bad-signature";
    public const string UnenrolledSigner = "unenrolled-signer";
    public const string UnenrolledGateway = "unenrolled-gateway";
    public const string Rejected = "rejected-record";
    public const string TopicMismatch = "topic-mismatch";
    public const string UncoveredGap = "uncovered-gap";
    public const string NewEpoch = "new-epoch";
    public const string SilentGateway = "silent-gateway";
    public const string Replay = "replay";
    public const string UnsignedDocument = "unsigned-document";
    public const string UnsignedBranch = "unsigned-branch";

    /// <summary>Records of a chain whose key was revoked or replaced by a new enrolment came and were refused.</summary>
    public const string KeyCutOff = "key-cut-off";

    /// <summary>A gateway rotated its key; the ingest follows it (enrol the new address).</summary>
    public const string KeyRotated = "key-rotated";

    /// <summary>A key-rotation genesis whose link is malformed or not signed by the key in force: refused.</summary>
    public const string BadKeyRotation = "bad-key-rotation";

    /// <summary>The store, the leaf log and the ledger disagree about an anchor (docs/anchoring.md).</summary>
    public const string AnchorMismatch = "anchor-mismatch";

    /// <summary>An anchoring round could not reach or use the ledger.</summary>
    public const string AnchorFailed = "anchor-failed";

    /// <summary>A chain's stored verifier state cannot be read: its records are refused (evidence) until it is repaired.</summary>
    public const string ChainStateUnreadable = "chain-state-unreadable";

    /// <summary>A chain's row vanished under the worker holding its state (a database restored?): made again, its verification starts from nothing.</summary>
    public const string ChainRowLost = "chain-row-lost";

    /// <summary>
    /// A checkpoint decided for a record that is neither stored nor whole in the evidence (set aside
    /// while a stranger's held its seq): the chain is verified up to the seq before it until the
    /// gateway re-sends it.
    /// </summary>
    public const string VerificationStalled = "verification-stalled";

    /// <summary>
    /// Messages set aside beyond <c>Ingest:EvidencePerGatewayPerMinute</c> or <c>Ingest:EvidencePerMinute</c> were
    /// not kept as evidence (counted in <c>edgetwin_ingest_evidence_dropped</c>): someone publishes noise on
    /// the broker. At most once a minute per gateway, and once for the worker.
    /// </summary>
    public const string EvidenceOverBudget = "evidence-over-budget";

    public const string AlarmNotForwarded = "alarm-not-forwarded";
    public const string AlarmManagerUnreachable = "alarm-manager-unreachable";
    public const string AlarmManagerRejected = "alarm-manager-rejected";
}
