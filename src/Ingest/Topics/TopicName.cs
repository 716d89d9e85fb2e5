namespace EdgeTwin.Ingest.Topics;

using EdgeTwin.Telemetry.Wire;

/// <summary>A gateway topic <c>{prefix}/{site}/{gw}/{leaf}</c> (PROTOCOL §2).</summary>
internal sealed record TopicName(string Site, string Gw, TopicLeaf Leaf)
{
    public static bool TryParse(string prefix, string topic, out TopicName? name)
    {
        name = null;
        if (!topic.StartsWith(prefix + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = topic[(prefix.Length + 1)..].Split('/');
        if (parts.Length < 3 || !WireNames.IsName(parts[0]) || !WireNames.IsName(parts[1]))
        {
            return false;
        }

        TopicLeaf? leaf = string.Join('/', parts[2..]) switch
        {
            WireNames.Telemetry => TopicLeaf.Telemetry,
            WireNames.Alarm => TopicLeaf.Alarm,
            "twin/reported" => TopicLeaf.TwinReported,
            "status" => TopicLeaf.Status,
            _ => null,
        };
        if (leaf is null)
        {
            return false;
        }

        name = new TopicName(parts[0], parts[1], leaf.Value);
        return true;
    }

    public static string Receipt(string prefix, string site, string gw) => $"{prefix}/{site}/{gw}/receipt";

    /// <summary>
    /// A worker's receive-path probe topic (<see cref="EdgeTwin.Mqtt.ReceiveProbe"/>),
    /// <c>{prefix}/ingest.probe/{16 hex of SHA-256(client id)}</c>: a level with a dot is no PROTOCOL §2
    /// site name, so no gateway filter or ACL pattern matches it, a client id with characters a topic may
    /// not hold (<c>/</c>, <c>+</c>, <c>#</c>) cannot change its shape, and a worker that resumes its
    /// lasting session (the same client id) keeps one subscription.
    /// </summary>
    public static string Probe(string prefix, string clientId) =>
        $"{prefix}/{WireNames.IngestProbeLevel}/{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(clientId)))[..16]}";

    public static string Resend(string prefix, string site, string gw) => $"{prefix}/{site}/{gw}/resend";

    public static string AlarmStatus(string prefix, string site, string gw) => $"{prefix}/{site}/{gw}/{Telemetry.Documents.AlarmStatusDocument.Subtopic}";

    /// <summary>What a topic of the ingest's own carries: its last level (<c>receipt</c>, <c>resend</c>, <c>alarm-status</c>), a metric label.</summary>
    public static string Kind(string topic) => topic[(topic.LastIndexOf('/') + 1)..];

    /// <summary>Shared-subscription filters, one per leaf the ingest consumes.</summary>
    public static IReadOnlyList<string> SharedFilters(string group, string prefix) =>
    [
        $"$share/{group}/{prefix}/+/+/{WireNames.Telemetry}",
        $"$share/{group}/{prefix}/+/+/{WireNames.Alarm}",
        $"$share/{group}/{prefix}/+/+/twin/reported",
        $"$share/{group}/{prefix}/+/+/status",
    ];
}
