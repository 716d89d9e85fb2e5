namespace EdgeTwin.Integration.Tests.Support;

using System.Text.Json;

/// <summary>
/// The samples one stored record carries, read from its exact bytes: the length of an <c>obs</c>
/// body's <c>"v"</c> array (the plain body of PROTOCOL §4); 0 for any other kind. The one place the
/// tests count samples at the receiving end, so another body encoding is added here only.
/// </summary>
internal static class ObsSamples
{
    public static int Count(byte[] payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var root = doc.RootElement;
        return root.GetProperty("kind").GetString() == "obs" ? root.GetProperty("body").GetProperty("v").GetArrayLength() : 0;
    }
}
