namespace EdgeTwin.Drivers.Configuration;

/// <summary>Which devices a box reads: the <c>Simulation</c> and <c>Devices</c> configuration sections.</summary>
public sealed class DriverOptions
{
    public SimulationOptions Simulation { get; init; } = new();

    public IList<DeviceOptions> Devices { get; init; } = [];
}
