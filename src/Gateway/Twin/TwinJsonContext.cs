namespace EdgeTwin.Gateway.Twin;

using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeTwin.Gateway.Twin.Binding;
using EdgeTwin.Gateway.Twin.Model;

/// <summary>
/// The twin's JSON generated at build time (no reflection; NativeAOT): the store's snapshot
/// (<c>TwinJson</c>) and the twin endpoints' typed answers (the host puts this context in the HTTP JSON options).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TwinSnapshot))]
[JsonSerializable(typeof(BindingAccepted))]
internal sealed partial class TwinJsonContext : JsonSerializerContext;
