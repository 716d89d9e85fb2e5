namespace EdgeTwin.Drivers.Configuration;

/// <summary>Which devices a box reads: the <c>Simulation</c>, <c>Devices</c>, <c>Annunciator</c> and <c>NurseCall</c> configuration sections.</summary>
public sealed class DriverOptions
{
    public SimulationOptions Simulation { get; init; } = new();

    public IList<DeviceOptions> Devices { get; init; } = [];

    public AnnunciatorOptions Annunciator { get; init; } = new();

    public IList<NurseCallOptions> NurseCall { get; init; } = [];
}
