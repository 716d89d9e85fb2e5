namespace EdgeTwin.Drivers.Simulation;

/// <summary>A named, seeded course of a patient over time; a pure function so runs reproduce.</summary>
internal interface IScenario
{
    string Name { get; }

    string Description { get; }

    PatientState At(double seconds, long seed);
}
