namespace EdgeTwin.Gateway.Tests.Support;

using System.Text.Json;
using EdgeTwin.Outbox;

/// <summary>Reads published record payloads back (tests only).</summary>
internal static class Records
{
    public static JsonElement Json(StoredRecord record) => JsonDocument.Parse(record.Payload).RootElement;

    public static string Kind(byte[] payload) => JsonDocument.Parse(payload).RootElement.GetProperty("kind").GetString()!;
}
