namespace EdgeTwin.Gateway.Privacy;

/// <summary>What a patient can consent to having published, stream by stream (wire names lowercase).</summary>
internal enum StreamClass
{
    Vitals,
    Waveforms,
    Location,
    Alarms,
}
