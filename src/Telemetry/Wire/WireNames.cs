namespace EdgeTwin.Telemetry.Wire;

using EdgeTwin.Telemetry.Records;

/// <summary>The lowercase wire spellings of the record enums (PROTOCOL §3-4).</summary>
public static class WireNames
{
    /// <summary>The telemetry lane's name (also its topic leaf, PROTOCOL §2).</summary>
    public const string Telemetry = "telemetry";

    /// <summary>The alarm lane's name (also its topic leaf, PROTOCOL §2).</summary>
    public const string Alarm = "alarm";

    /// <summary>The alphabet and length of gateway and site names (PROTOCOL §1), for messages.</summary>
    public const string NameRule = "[a-z0-9-]{1,64}";

    /// <summary>Whether <paramref name="name"/> is a gateway or site name: <see cref="NameRule"/>.</summary>
    public static bool IsName(string? name) => name is not null && Syntax.IsName(name.AsSpan());

    /// <summary>The topics beside the record lanes (PROTOCOL §2): documents and statements, never records.</summary>
    public static readonly IReadOnlyList<string> OtherSubtopics = ["status", "twin/reported", "twin/desired", "receipt", "resend", "alarm-status"];

    /// <summary>
    /// The levels under the prefix of the receive-path probes (<c>{prefix}/ingest.probe/{id}</c>, an ingest
    /// worker's; <c>{prefix}/gateway.probe/{gw}</c>, a gateway's uplink): outside the PROTOCOL §2 topics
    /// (a level with a dot is no site), never records.
    /// </summary>
    public static readonly IReadOnlyList<string> ProbeLevels = [IngestProbeLevel, GatewayProbeLevel];

    /// <summary>The level of an ingest worker's probe topic, <c>{prefix}/ingest.probe/{id}</c>.</summary>
    public const string IngestProbeLevel = "ingest.probe";

    /// <summary>The level of a gateway uplink's probe topic, <c>{prefix}/gateway.probe/{gw}</c>.</summary>
    public const string GatewayProbeLevel = "gateway.probe";

    /// <summary>
    /// Whether a topic is one of <see cref="OtherSubtopics"/> of some gateway, or a receive-path probe's
    /// (<see cref="ProbeLevels"/>): anything else may carry a record.
    /// </summary>
    public static bool IsOtherTopic(string? topic) =>
        topic is not null && (OtherSubtopics.Any(s => topic.EndsWith($"/{s}", StringComparison.Ordinal)) || IsProbeTopic(topic));

    private static bool IsProbeTopic(string topic)
    {
        var last = topic.LastIndexOf('/');
        var before = last > 0 ? topic.LastIndexOf('/', last - 1) : -1;
        return before > 0 && ProbeLevels.Any(p => topic.AsSpan(before + 1, last - before - 1).SequenceEqual(p));
    }

    public static string Of(Lane lane) => lane switch
    {
        Lane.Telemetry => Telemetry,
        Lane.Alarm => Alarm,
        _ => throw new ArgumentOutOfRangeException(nameof(lane), lane, "unknown lane"),
    };

    public static string Of(ClockQuality clock) => clock switch
    {
        ClockQuality.Synced => "synced",
        ClockQuality.Unsynced => "unsynced",
        _ => throw new ArgumentOutOfRangeException(nameof(clock), clock, "unknown clock quality"),
    };

    public static string Of(GenesisReason reason) => reason switch
    {
        GenesisReason.FirstStart => "first-start",
        GenesisReason.StoreLost => "store-lost",
        GenesisReason.StoreCorrupt => "store-corrupt",
        GenesisReason.KeyRotation => "key-rotation",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown genesis reason"),
    };

    /// <summary>The lane of a wire name; false for anything else.</summary>
    public static bool TryParseLane(string? name, out Lane lane)
    {
        lane = name == Alarm ? Lane.Alarm : Lane.Telemetry;
        return name is Telemetry or Alarm;
    }

    public static bool TryParseLane(ReadOnlySpan<byte> utf8, out Lane lane)
    {
        if (utf8.SequenceEqual("telemetry"u8))
        {
            lane = Lane.Telemetry;
            return true;
        }

        if (utf8.SequenceEqual("alarm"u8))
        {
            lane = Lane.Alarm;
            return true;
        }

        lane = default;
        return false;
    }
}
