namespace EdgeTwin.Gateway.Twin.Persistence;

using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Telemetry.Desired;

/// <summary>
/// How the twin's persisted snapshot is written: camelCase, enums by camelCase name. Source-generated
/// (<see cref="TwinJsonContext"/>), so it works in a NativeAOT build; an enum in the snapshot needs
/// its converter here (TwinJsonTests compare this with the reflection serializer's output).
/// </summary>
internal static class TwinJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = TwinJsonContext.Default,
        Converters =
        {
            new JsonStringEnumConverter<StreamClass>(JsonNamingPolicy.CamelCase),
            new JsonStringEnumConverter<DeviceHealth>(JsonNamingPolicy.CamelCase),
            new JsonStringEnumConverter<BindingAction>(JsonNamingPolicy.CamelCase),
        },
    };

    /// <summary>The snapshot's contract under <see cref="Options"/>.</summary>
    public static JsonTypeInfo<TwinSnapshot> Snapshot { get; } = (JsonTypeInfo<TwinSnapshot>)Options.GetTypeInfo(typeof(TwinSnapshot));
}
