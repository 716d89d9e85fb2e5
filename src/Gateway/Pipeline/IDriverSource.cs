namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Model;

/// <summary>Creates the device drivers the pipeline runs (configuration decides which).</summary>
internal interface IDriverSource
{
    IReadOnlyList<IDeviceDriver> CreateDrivers();
}
