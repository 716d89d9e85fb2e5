namespace EdgeTwin.Drivers.Tests.Model;

using EdgeTwin.Drivers.Model;

public class ArchitectureTests
{
    [Fact]
    public void Drivers_ReferenceNeitherGatewayNorIngestNorTelemetry()
    {
        var references = typeof(IDeviceDriver).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.DoesNotContain(references, name => name is "EdgeTwin.Gateway" or "EdgeTwin.Ingest" or "EdgeTwin.Telemetry");
    }
}
