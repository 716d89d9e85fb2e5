namespace EdgeTwin.Mqtt.Tests;

/// <summary>The broker transport is a library of its own: the gateway and the ingest use it, it uses neither.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void Mqtt_ReferencesMqttNetButNoEdgeTwinProject()
    {
        var references = typeof(BrokerTransport).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("MQTTnet", references);
        Assert.DoesNotContain(references, name => name.StartsWith("EdgeTwin.", StringComparison.Ordinal) || name == "edgetwin");
    }
}
