namespace EdgeTwin.Ingest.Tests;

using System.Reflection;
using EdgeTwin.Hl7v2;
using Microsoft.Extensions.Logging;

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

    /// <summary>An operator greps the log by event id (docs list them): one id, one meaning. Anchoring and alarms-out once shared 7200-7203.</summary>
    [Fact]
    public void EveryLogEventId_OfTheIngest_IsUsedOnce()
    {
        var ids = typeof(IngestHost).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetCustomAttributes<LoggerMessageAttribute>().Select(a => (a.EventId, Name: $"{m.DeclaringType!.Name}.{m.Name}")))
            .ToList();

        Assert.True(ids.Count > 40, $"only {ids.Count} log events found");
        Assert.Empty(ids.GroupBy(i => i.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(i => i.Name))}"));
    }
}
