namespace EdgeTwin.Drivers.Simulation.Scenarios;

/// <summary>
/// Hours-long deterioration as in early sepsis: the score creeps up over hours, so trend alarms
/// and the model (not a single threshold) are what should catch it first.
/// </summary>
internal sealed class SepsisScenario : IScenario
{
    /// <summary>Ten quiet minutes, then four hours of decline, then the worst state holds.</summary>
    public const double OnsetSeconds = 600;
    public const double WorstSeconds = OnsetSeconds + (4 * 3600);

    /// <summary>The point of the decline where new confusion appears (ACVPU C).</summary>
    public const double ConfusionProgress = 0.85;

    public string Name => "sepsis";

    public string Description =>
        "Ten stable minutes, then four hours of decline: HR 76->128, RR 15->27, 36.9->39.4 C, BP 124/76->86/48, SpO2 97->92 %, new confusion near the end.";

    public PatientState At(double seconds, long seed)
    {
        var p = Trajectory.Progress(seconds, OnsetSeconds, WorstSeconds);
        return new PatientState(
            HeartRate: Trajectory.Lerp(76, 128, p),
            RespiratoryRate: Trajectory.Lerp(15, 27, p),
            SpO2: Trajectory.Lerp(97, 92, p),
            TemperatureC: Trajectory.Lerp(36.9, 39.4, p),
            Systolic: Trajectory.Lerp(124, 86, p),
            Diastolic: Trajectory.Lerp(76, 48, p),
            Acvpu: p >= ConfusionProgress ? 1 : 0,
            OnOxygen: false,
            Probe: ProbeState.Attached,
            Motion: 0);
    }
}
