namespace EdgeTwin.Ingest.Options;

using System.ComponentModel.DataAnnotations;
using EdgeTwin.Mqtt;
using Microsoft.Extensions.Options;

/// <summary>
/// The <c>Ingest</c> settings. Names are part of the operator contract (issue 7): scripts rely on
/// <c>Ingest:Broker</c>, <c>Ingest:TopicPrefix</c>, <c>Ingest:SharedGroup</c>, <c>Ingest:Storage</c>
/// and <c>Ingest:Enrolled:&lt;gateway name&gt;</c>.
/// </summary>
public sealed class IngestOptions : BrokerTransportSettings
{
    public const string Section = "Ingest";

    /// <summary><c>mqtt://host[:1883]</c> or <c>mqtts://host[:8883]</c>.</summary>
    [Required]
    public string Broker { get; set; } = "mqtt://127.0.0.1:1883";

    [Required]
    [RegularExpression("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$", ErrorMessage = "Ingest:TopicPrefix must be topic levels without wildcards, e.g. edgetwin/v1.")]
    public string TopicPrefix { get; set; } = "edgetwin/v1";

    /// <summary>MQTT 5 shared-subscription group; every worker of one ingest uses the same one.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$", ErrorMessage = "Ingest:SharedGroup must be 1-64 of [A-Za-z0-9_-].")]
    public string SharedGroup { get; set; } = "edgetwin-ingest";

    /// <summary><c>litedb:PATH</c> (one worker) or <c>postgres:CONNECTION</c> (several).</summary>
    [Required]
    public string Storage { get; set; } = "litedb:./ingest-data";

    /// <summary>
    /// The ingest's secp256k1 key, which signs receipts and re-send requests (PROTOCOL §7); created
    /// (0600) on first start when missing. Empty: <c>ingest.key</c> in the LiteDB storage directory,
    /// or in the working directory with PostgreSQL. Every worker of one ingest uses the same key file.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>How often chains are looked at for records to ask their gateway for again (missing seqs, no genesis, a head not held).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gateway name to its enrolled signer address.</summary>
    public Dictionary<string, string> Enrolled { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A JSON file of enrolled gateways and revoked addresses (docs/operations.md), read again when it
    /// changes, without a restart; merged with <see cref="Enrolled"/>. Empty: none.
    /// </summary>
    public string? EnrolmentFile { get; set; }

    /// <summary>How often <see cref="EnrolmentFile"/> is looked at for a change.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan EnrolmentReloadInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Messages set aside (malformed, forged, unenrolled, forks...) one worker keeps as evidence per gateway name
    /// of their topic and minute (<c>EvidenceBudget</c>); beyond, they are counted
    /// (<c>edgetwin_ingest_evidence_dropped</c>) and alerted (<c>evidence-over-budget</c>), not kept. 0: no bound.
    /// </summary>
    [Range(0, 100_000_000)]
    public int EvidencePerGatewayPerMinute { get; set; } = 600;

    /// <summary>As <see cref="EvidencePerGatewayPerMinute"/>, for all of one worker's gateway names together (names made up by the thousand). 0: no bound.</summary>
    [Range(0, 100_000_000)]
    public int EvidencePerMinute { get; set; } = 6_000;

    public const int DefaultWardMaxSubscribers = 200;

    /// <summary>Most ward pages fed live at once by this worker; one more gets 503 until one closes.</summary>
    [Range(1, 100_000)]
    public int WardMaxSubscribers { get; set; } = DefaultWardMaxSubscribers;

    /// <summary>MQTT client id of this worker; unique per worker (defaults to a random one).</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// How long the broker keeps this worker's MQTT session after it goes away: 0 (the default) starts
    /// clean each time. Above 0 (needs a fixed <see cref="ClientId"/>) the worker resumes its session
    /// when it comes back, and the broker delivers again every message it had not acknowledged: the
    /// batch a killed worker held uncommitted (docs/ingest.md "Subscriptions").
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long the broker has to acknowledge one of the worker's own publishes (a batch's receipts, a
    /// re-send request) before the worker gives up on it and goes on: MQTTnet sets no deadline on a
    /// publish, and a send stage waiting for ever would stop the batch's PUBACKs and so the worker's
    /// share of the backlog (docs/ingest.md "Receipts and acknowledgements").
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the worker sends itself a QoS 1 probe through the broker when none is out, on a topic
    /// only its own connection subscribes to (<c>&lt;prefix&gt;/ingest.probe/&lt;id&gt;</c>): what tells a
    /// connection that is up but delivers nothing (docs/ingest.md "Receive-path probe"). 0 turns it off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ReceiveProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With a probe out, nothing at all received for this long while the worker had room in its receive
    /// window counts as a stalled connection: logged (7019), counted, and the connection made again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReceiveStallAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Missing seqs not covered by a gap statement for this long raise an alert.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00")]
    public TimeSpan GapTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A gateway whose chains brought no checkpoint for this long raises an alert.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00")]
    public TimeSpan SilentAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the watchdog looks for uncovered gaps and silent gateways.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long stored records are kept (PostgreSQL only): whole daily partitions of records received
    /// longer ago than this are dropped, except one holding a record not verified yet; nothing else is
    /// deleted (docs/ingest.md "Retention"). Unset (the default): kept for ever. At least one day.
    /// </summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>The shortest <see cref="Retention"/>: records are dropped by whole days.</summary>
    public static readonly TimeSpan MinRetention = TimeSpan.FromDays(1);

    /// <summary>
    /// Most messages stored in one transaction, 1 to <see cref="MaxBatchSize"/>; unset,
    /// <see cref="DefaultBatchSize"/> (or the <see cref="ReceiveWindow"/> if that is smaller). Set alone,
    /// it also sets the window to six batches, as before the window was a setting of its own
    /// (<c>Mqtt/FlowControl</c>, docs/ingest.md "Flow control").
    /// </summary>
    public int? BatchSize { get; set; }

    /// <summary>The largest <see cref="BatchSize"/>.</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>
    /// The batch when neither it nor a smaller window is set: large enough that a backlog is stored in few
    /// transactions, each with one write per chain row and one WAL flush or log fsync (docs/benchmarks.md
    /// "Issue 13, eleventh pass": 2,048 in 3,072 stores about 1.15 times what 1,024 in 1,536 does, medians).
    /// </summary>
    public const int DefaultBatchSize = 2_048;

    /// <summary>
    /// Messages one worker takes from the broker unacknowledged (its MQTT 5 Receive Maximum), 1 to
    /// 65,535, at least <see cref="BatchSize"/>: what bounds its memory for messages (about twice the
    /// record size each). Unset: <see cref="DefaultReceiveWindow"/>, or six batches when only
    /// <see cref="BatchSize"/> is set.
    /// </summary>
    public int? ReceiveWindow { get; set; }

    /// <summary>The window when neither it nor <see cref="BatchSize"/> is set: one and a half default batches, so the next batch forms while one is stored.</summary>
    public const int DefaultReceiveWindow = 3_072;

    /// <summary>
    /// Store transactions one worker runs side by side, 1 to <see cref="MaxStoreLanes"/>, each on the
    /// gateways whose names hash to it (docs/ingest.md "The worker's stages"): one lane verifies while
    /// another waits for the database. PostgreSQL only (one connection each); LiteDB takes one writer
    /// at a time and runs one lane whatever this says.
    /// </summary>
    public int StoreLanes { get; set; } = 2;

    /// <summary>The most <see cref="StoreLanes"/>.</summary>
    public const int MaxStoreLanes = 8;

    /// <summary>
    /// Gateways whose verifier one worker keeps between batches, 1 to <see cref="MaxVerifierCacheGateways"/>
    /// (up to about 15 KB each: two chains, docs/ingest.md "Sizing"). With more gateways than this the one used longest ago is
    /// let go, and its next batch reads and decodes its chains' stored states again (CPU: docs/benchmarks.md
    /// "Issue 13, thirteenth pass"). Every worker of an ingest sees every gateway (the broker shares messages,
    /// not gateways): set it to at least the gateways the ingest serves.
    /// </summary>
    public int VerifierCacheGateways { get; set; } = DefaultVerifierCacheGateways;

    /// <summary>The default <see cref="VerifierCacheGateways"/>: 10,000 gateways, up to about 150 MB of verifiers.</summary>
    public const int DefaultVerifierCacheGateways = 10_000;

    /// <summary>The most <see cref="VerifierCacheGateways"/>.</summary>
    public const int MaxVerifierCacheGateways = 1_000_000;

    /// <summary>Anchoring of the verified checkpoints on an EVM chain (docs/anchoring.md); off without <c>Rpc</c>.</summary>
    [ValidateObjectMembers]
    public AnchorOptions Anchor { get; set; } = new();

    /// <summary>The anchoring key file in use: <c>Anchor:KeyFile</c>, or <c>anchor.key</c> beside the ingest key.</summary>
    public string AnchorKeyFilePath() =>
        !string.IsNullOrWhiteSpace(Anchor.KeyFile) ? Path.GetFullPath(Anchor.KeyFile) : Path.Combine(Path.GetDirectoryName(KeyFilePath())!, "anchor.key");

    /// <summary>IHE ACM alarm managers that receive every verified alarm-lane change as PCD-04 (docs/alarms-out.md).</summary>
    public List<AlarmManagerOptions> AlarmManagers { get; set; } = [];

    /// <summary>How PCD-04 is sent and PCD-05 received.</summary>
    [ValidateObjectMembers]
    public AlarmsOutOptions AlarmsOut { get; set; } = new();

    /// <summary>Who may call the HTTP API (docs/ingest.md "Access").</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>
    /// The key the LiteDB store is encrypted with at rest (32 bytes, 0600); empty: <c>storage.key</c>
    /// in the LiteDB directory, created on first start. A configured file is never created.
    /// </summary>
    public string? StorageKeyFile { get; set; }

    /// <summary>The local token signing key in use: <c>Auth:SigningKeyFile</c>, or <c>auth.key</c> beside the ingest key.</summary>
    public string SigningKeyFilePath() =>
        !string.IsNullOrWhiteSpace(Auth.SigningKeyFile) ? Path.GetFullPath(Auth.SigningKeyFile) : Path.Combine(Path.GetDirectoryName(KeyFilePath())!, "auth.key");

    /// <summary>The key file in use: <see cref="KeyFile"/>, or its default beside the storage.</summary>
    public string KeyFilePath() =>
        !string.IsNullOrWhiteSpace(KeyFile) ? Path.GetFullPath(KeyFile)
        : StorageSpec.TryParse(Storage, out var spec, out _) && spec!.Kind == StorageKind.LiteDb ? Path.GetFullPath(Path.Combine(spec.Target, "ingest.key"))
        : Path.GetFullPath("ingest.key");
}
