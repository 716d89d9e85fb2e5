namespace EdgeTwin.Drivers.Simulation.Scenarios;

internal sealed class StableScenario : IScenario
{
    public string Name => "stable";

    public string Description => "Healthy adult at rest: HR 72, RR 14, SpO2 97 %, 36.8 C, 122/78 mmHg, alert, on air (NEWS2 0).";

    public PatientState At(double seconds, long seed) => PatientState.Baseline;
}
