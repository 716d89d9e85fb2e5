namespace EdgeTwin.Gateway.Access;

using System.Text.Json;
using System.Text.Json.Serialization;

/// <summary>
/// The refusal bodies of the status address, generated at build time: a NativeAOT build has no
/// reflection-based serializer (the host puts this context in the HTTP JSON options).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class AccessJsonContext : JsonSerializerContext;
