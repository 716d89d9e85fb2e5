namespace EdgeTwin.Drivers.Simulation.Scenarios;

/// <summary>
/// The technical-alarm path: the finger probe falls off at 30 s (SpO2 and pleth invalid, device
/// degraded), and the monitor is lost at 60 s (no more samples, device lost).
/// </summary>
internal sealed class SensorOffScenario : IScenario
{
    public const double ProbeOffSeconds = 30;
    public const double LostSeconds = 60;

    public string Name => "sensor-off";

    public string Description => "Stable until 30 s; then the finger probe is off (SpO2 and pleth null, Degraded); at 60 s the device is Lost.";

    public PatientState At(double seconds, long seed) => PatientState.Baseline with
    {
        Probe = seconds >= LostSeconds ? ProbeState.DeviceLost
            : seconds >= ProbeOffSeconds ? ProbeState.FingerProbeOff
            : ProbeState.Attached,
    };
}
