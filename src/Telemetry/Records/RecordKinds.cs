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
}
