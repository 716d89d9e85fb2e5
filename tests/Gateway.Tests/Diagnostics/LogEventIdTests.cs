namespace EdgeTwin.Gateway.Tests.Diagnostics;

using System.Reflection;
using EdgeTwin.Gateway.Diagnostics;
using Microsoft.Extensions.Logging;

/// <summary>Operators filter the journal by event id (docs/operations.md): one id, one kind of line.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void EveryGatewayLogLine_HasAnEventIdOfItsOwn()
    {
        var ids = typeof(GatewayLog).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(ids.Count > 40, $"only {ids.Count} log lines found");
        var shared = ids.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}").ToList();
        Assert.Empty(shared);
    }
}
