namespace EdgeTwin.Outbox.Tests;

/// <summary>The outbox is a library of its own: the gateway and the CLI use it, it uses neither.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void Outbox_ReferencesTelemetryAndLiteDbButNoHostProject()
    {
        var references = typeof(OutboxStore).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("LiteDB", references);
        Assert.Contains("EdgeTwin.Telemetry", references);
        Assert.DoesNotContain(references, name => name is "EdgeTwin.Gateway" or "EdgeTwin.Ingest" or "edgetwin" or "EdgeTwin.Drivers" or "EdgeTwin.Inference");
    }
}
