namespace EdgeTwin.Telemetry.Desired;

/// <summary>What a patient can consent to having published, stream by stream (wire names lowercase).</summary>
public enum StreamClass
{
    Vitals,
    Waveforms,
    Location,
    Alarms,
}
