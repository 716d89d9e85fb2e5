namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

/// <summary>The drivers the <c>Simulation</c> and <c>Devices</c> sections describe (simulated beds by default).</summary>
internal sealed class ConfiguredDriverSource(IConfiguration configuration, TimeProvider time, ILoggerFactory loggers) : IDriverSource
{
    public IReadOnlyList<IDeviceDriver> CreateDrivers() => new DriverFactory(time, loggers).Create(configuration);
}
