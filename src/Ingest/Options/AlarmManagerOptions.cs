namespace EdgeTwin.Ingest.Options;

/// <summary>
/// One alarm manager (IHE ACM Alarm Manager) that receives PCD-04 ORU^R40 over MLLP:
/// <c>Ingest:AlarmManagers:&lt;n&gt;:Name</c>, <c>Host</c>, <c>Port</c>, and what goes into MSH-5/MSH-6.
/// </summary>
public sealed class AlarmManagerOptions
{
    /// <summary>Names its queue, metrics and alerts: a wire name (<c>WireNames.NameRule</c>), unique.</summary>
    public string Name { get; set; } = "";

    public string Host { get; set; } = "";

    public int Port { get; set; }

    /// <summary>MSH-5 receiving application.</summary>
    public string ReceivingApplication { get; set; } = "";

    /// <summary>MSH-6 receiving facility.</summary>
    public string ReceivingFacility { get; set; } = "";
}
