namespace EdgeTwin.Telemetry.Records;

/// <summary>The wire names of the record kinds (PROTOCOL §3-4); more may be added.</summary>
public static class RecordKinds
{
    public const string Genesis = "genesis";
    public const string Obs = "obs";

    /// <summary>Several streams of one device, samples delta-coded on a quantum (docs/protocol.md §4, issue 16).</summary>
    public const string ObsCompact = "obs-compact";

    /// <summary>Whether records of this kind carry samples (<see cref="Obs"/> or <see cref="ObsCompact"/>).</summary>
    public static bool CarriesSamples(string kind) => kind is Obs or ObsCompact;
    public const string Alarm = "alarm";
    public const string Checkpoint = "checkpoint";
    public const string Gap = "gap";
    public const string Event = "event";

    /// <summary>The constant above whose wire name <paramref name="utf8"/> is (unescaped UTF-8), null for any other: a reader keeps no string of its own per record.</summary>
    public static string? Known(ReadOnlySpan<byte> utf8) => utf8 switch
    {
        _ when utf8.SequenceEqual("obs"u8) => Obs,
        _ when utf8.SequenceEqual("obs-compact"u8) => ObsCompact,
        _ when utf8.SequenceEqual("checkpoint"u8) => Checkpoint,
        _ when utf8.SequenceEqual("alarm"u8) => Alarm,
        _ when utf8.SequenceEqual("genesis"u8) => Genesis,
        _ when utf8.SequenceEqual("gap"u8) => Gap,
        _ when utf8.SequenceEqual("event"u8) => Event,
        _ => null,
    };
}
