namespace EdgeTwin.Drivers.Simulation;

/// <summary>
/// The simulated patient's true physiology at one instant, before measurement noise, plus what the
/// sensors are doing (a probe off the finger, a monitor unplugged, motion).
/// </summary>
/// <param name="Acvpu">0 = Alert, 1 = new Confusion, 2 = Voice, 3 = Pain, 4 = Unresponsive.</param>
/// <param name="Motion">0 = still; 1 = the patient is moving the probe hard enough to corrupt pleth and SpO2.</param>
internal readonly record struct PatientState(
    double HeartRate,
    double RespiratoryRate,
    double SpO2,
    double TemperatureC,
    double Systolic,
    double Diastolic,
    int Acvpu,
    bool OnOxygen,
    ProbeState Probe,
    double Motion)
{
    /// <summary>A healthy adult at rest on a ward (all NEWS2 parameters score 0).</summary>
    public static PatientState Baseline { get; } = new(72, 14, 97, 36.8, 122, 78, 0, false, ProbeState.Attached, 0);
}
