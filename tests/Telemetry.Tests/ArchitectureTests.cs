namespace EdgeTwin.Telemetry.Tests;

using EdgeTwin.Telemetry.Chain;

/// <summary>The shared library stays a leaf: the gateway, the ingest and the auditor all depend on it, never the reverse.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void Telemetry_ReferencesNoOtherEdgeTwinAssembly()
    {
        var references = typeof(ChainWriter).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Nethereum.Signer", references);
        Assert.DoesNotContain(references, name => name.StartsWith("EdgeTwin.", StringComparison.Ordinal));
    }
}
