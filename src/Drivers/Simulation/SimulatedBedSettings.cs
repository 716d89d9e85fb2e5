namespace EdgeTwin.Drivers.Simulation;

/// <param name="EcgRateHz">0 turns the ECG off (vitals-only runs), otherwise 100-1000.</param>
/// <param name="PlethRateHz">0 turns the pleth off, otherwise 25-500.</param>
/// <param name="Speed">Scenario time per real second: 60 plays an hour of sepsis in a minute.</param>
/// <param name="WakeInterval">How often the driver wakes to emit what has come due.</param>
internal sealed record SimulatedBedSettings(double EcgRateHz, double PlethRateHz, double Speed, TimeSpan WakeInterval)
{
    public static SimulatedBedSettings Default { get; } = new(250, 100, 1, TimeSpan.FromMilliseconds(40));
}
