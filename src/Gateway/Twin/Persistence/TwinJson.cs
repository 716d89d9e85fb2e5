namespace EdgeTwin.Gateway.Twin.Persistence;

using System.Text.Json;
using System.Text.Json.Serialization;

/// <summary>How the twin's persisted snapshot is written: camelCase, enums by name.</summary>
internal static class TwinJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
