namespace EdgeTwin.Ingest.Options;

using System.ComponentModel.DataAnnotations;

/// <summary>
/// <c>Ingest:AlarmsOut</c>: how the IHE ACM alarm reporter sends PCD-04 and where it listens for
/// PCD-05 status reports (docs/alarms-out.md). Nothing is sent while <c>Ingest:AlarmManagers</c> is empty.
/// </summary>
public sealed class AlarmsOutOptions
{
    /// <summary>
    /// Whether this worker runs senders at all. Every worker queues (the queue is in the shared store);
    /// of N workers only the holder of a manager's lease sends to it (<c>IAcmLease</c>), so this is only to keep a worker out.
    /// </summary>
    public bool Send { get; set; } = true;

    /// <summary>MSH-3 sending application of every PCD-04.</summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "Ingest:AlarmsOut:SendingApplication must be 1-64 of [A-Za-z0-9_.-].")]
    public string SendingApplication { get; set; } = "EDGETWIN";

    /// <summary>MSH-4 sending facility; empty: the gateway's site.</summary>
    public string SendingFacility { get; set; } = "";

    /// <summary>Deadline of one send: connect, write and the MLLP ACK back.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before a send is tried again (doubling, with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between two tries.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A manager that has not acknowledged the message at the head of its queue for this long raises <c>alarm-manager-unreachable</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan UnreachableAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many AE (application error) answers one message gets before it is given up as failed.</summary>
    [Range(1, 1000)]
    public int MaxErrorAnswers { get; set; } = 5;

    /// <summary>PCD-05 listener address; loopback unless told otherwise.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>PCD-05 listener port; empty: no listener. 0: any free port (tests).</summary>
    [Range(0, 65535)]
    public int? ListenPort { get; set; }

    /// <summary>Peer addresses allowed to report alert status; a connection from anywhere else is closed and counted. Empty: the configured managers' hosts (resolved at start).</summary>
    public List<string> AllowedPeers { get; set; } = [];

    /// <summary>Largest PCD-05 frame taken.</summary>
    [Range(1024, 1_048_576)]
    public int MaxFrameBytes { get; set; } = 65_536;

    /// <summary>
    /// Put the managers' statuses back to the box (docs/alarms-out.md, "Status back to the box"): each
    /// recorded status whose name is in <see cref="StatusToBoxStatuses"/> is published to the alarm's
    /// gateway as an alarm-status document signed by the ingest key. Off by default: it carries who
    /// answered (a clinician's identifier and name) to the box and into its chain; a hospital turns it on.
    /// </summary>
    public bool StatusToBox { get; set; }

    /// <summary>
    /// Which statuses go back to the box when <see cref="StatusToBox"/> is on: any of delivered, read,
    /// accepted, rejected (entries or one comma-separated value). Empty: accepted only.
    /// </summary>
    public List<string> StatusToBoxStatuses { get; set; } = [];

    /// <summary>The statuses that go back, lowercase: <see cref="StatusToBoxStatuses"/>, or accepted.</summary>
    public IReadOnlySet<string> StatusesToBox()
    {
        var named = StatusToBoxStatuses.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => s.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        return named.Count == 0 ? new HashSet<string>(["accepted"], StringComparer.Ordinal) : named;
    }
}
