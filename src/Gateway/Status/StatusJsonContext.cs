namespace EdgeTwin.Gateway.Status;

using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeTwin.Gateway.Status.Document;

/// <summary><c>GET /status</c>'s document, generated at build time (NativeAOT has no reflection-based serializer).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StatusDocument))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
