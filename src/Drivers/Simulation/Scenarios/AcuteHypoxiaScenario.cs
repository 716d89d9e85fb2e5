namespace EdgeTwin.Drivers.Simulation.Scenarios;

/// <summary>
/// A fast desaturation (mucus plug, aspiration) for demos and tests: starts normal and scores
/// NEWS2 8 (SpO2 3 + RR 3 + HR 2) from 40 s on, so an alarm must be raised within a minute.
/// </summary>
internal sealed class AcuteHypoxiaScenario : IScenario
{
    public const double RampStartSeconds = 5;
    public const double RampEndSeconds = 40;

    public string Name => "acute-hypoxia";

    public string Description =>
        "Normal for 5 s, then within 35 s SpO2 96->86 %, RR 16->30, HR 82->124 on air: NEWS2 8 from 40 s on.";

    public PatientState At(double seconds, long seed)
    {
        var p = Trajectory.Progress(seconds, RampStartSeconds, RampEndSeconds);
        return new PatientState(
            HeartRate: Trajectory.Lerp(82, 124, p),
            RespiratoryRate: Trajectory.Lerp(16, 30, p),
            SpO2: Trajectory.Lerp(96, 86, p),
            TemperatureC: 37.1,
            Systolic: Trajectory.Lerp(128, 134, p),
            Diastolic: Trajectory.Lerp(80, 84, p),
            Acvpu: 0,
            OnOxygen: false,
            Probe: ProbeState.Attached,
            Motion: 0);
    }
}
