namespace EdgeTwin.Gateway.Pairing;

using System.Text.Json;
using System.Text.Json.Serialization;

/// <summary>The pairing API's bodies, generated at build time (NativeAOT; the host puts this context in the HTTP JSON options).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PairingError))]
[JsonSerializable(typeof(BleDeviceList))]
[JsonSerializable(typeof(BleForgotten))]
internal sealed partial class PairingJsonContext : JsonSerializerContext;
