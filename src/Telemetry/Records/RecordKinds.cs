namespace EdgeTwin.Telemetry.Records;

/// <summary>The wire names of the record kinds (PROTOCOL §3-4); more may be added.</summary>
public static class RecordKinds
{
    public const string Genesis = "genesis";
    public const string Obs = "obs";
    public const string Alarm = "alarm";
    public const string Checkpoint = "checkpoint";
    public const string Gap = "gap";
    public const string Event = "event";
}
