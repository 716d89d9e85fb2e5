using EdgeTwin.Drivers.Model;

namespace EdgeTwin.Drivers.Tests.Model;

public class ArchitectureTests
{
    [Fact]
    public void Drivers_ReferenceNeitherGatewayNorIngestNorTelemetry()
    {
        var references = typeof(IDeviceDriver).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(references, name => name is "EdgeTwin.Gateway" or "EdgeTwin.Ingest" or "EdgeTwin.Telemetry");
    }
}
