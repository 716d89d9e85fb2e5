namespace EdgeTwin.ModelBuilder;

/// <summary>The simulator's scenarios (Drivers <c>Simulation/</c>), named as there.</summary>
internal enum Scenario
{
    Stable,
    Sepsis,
    AcuteHypoxia,
    Bradycardia,
    MotionArtefact,
}
