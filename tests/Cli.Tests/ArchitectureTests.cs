namespace EdgeTwin.Cli.Tests;

/// <summary>The <c>edgetwin</c> command reads a gateway's outbox through the outbox library, not through the gateway executable.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void Cli_UsesTheOutboxLibrary_NotTheGatewayOrTheIngest()
    {
        var references = typeof(CliApp).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("EdgeTwin.Outbox", references);
        Assert.DoesNotContain("EdgeTwin.Gateway", references);
        Assert.DoesNotContain("EdgeTwin.Ingest", references);
    }
}
