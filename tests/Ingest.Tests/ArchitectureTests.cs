namespace EdgeTwin.Ingest.Tests;

using EdgeTwin.Hl7v2;

public sealed class ArchitectureTests
{
    [Fact]
    public void Ingest_UsesTheSharedHl7v2_NotTheDriversOrTheGateway()
    {
        var references = typeof(IngestHost).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("EdgeTwin.Hl7v2", references);
        Assert.DoesNotContain("EdgeTwin.Drivers", references);
        Assert.DoesNotContain("EdgeTwin.Gateway", references);
    }

    [Fact]
    public void Hl7v2_ReferencesNoOtherEdgeTwinProject()
    {
        var references = typeof(Hl7Message).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("EdgeTwin.", StringComparison.Ordinal));
    }
}
