namespace EdgeTwin.Gateway.Tests.Twin;

using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Desired;

/// <summary>Desired settings from JSON text, failing the test when the text is not valid settings.</summary>
internal static class DesiredJson
{
    public static DesiredSettings Settings(string json)
    {
        Assert.True(DesiredSettingsParser.TryParse((JsonObject)JsonNode.Parse(json)!, out var settings, out var problem), problem);
        return settings!;
    }
}
