namespace EdgeTwin.Inference.Tests;

using EdgeTwin.Inference.Alarms;

public class ArchitectureTests
{
    [Fact]
    public void Inference_ReferencesDriversButNotGatewayTelemetryOrIngest()
    {
        var references = typeof(AlarmManager).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("EdgeTwin.Drivers", references);
        Assert.DoesNotContain("EdgeTwin.Gateway", references);
        Assert.DoesNotContain("EdgeTwin.Telemetry", references);
        Assert.DoesNotContain("EdgeTwin.Ingest", references);
    }
}
