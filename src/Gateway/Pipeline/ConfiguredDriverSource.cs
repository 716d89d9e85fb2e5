namespace EdgeTwin.Gateway.Pipeline;

using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The drivers the <c>Simulation</c> and <c>Devices</c> sections describe (simulated beds by default);
/// what they read of devices' stored records is kept in the data directory (<see cref="DeviceCursorFile"/>).
/// </summary>
internal sealed class ConfiguredDriverSource(IConfiguration configuration, TimeProvider time, ILoggerFactory loggers, IOptions<GatewayOptions> gateway) : IDriverSource
{
    public IReadOnlyList<IDeviceDriver> CreateDrivers() =>
        new DriverFactory(time, loggers, cursors: new DeviceCursorFile(Path.Combine(gateway.Value.DataDirectoryFullPath, DeviceCursorFile.FileName))).Create(configuration);
}
