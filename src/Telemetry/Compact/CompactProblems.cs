namespace EdgeTwin.Telemetry.Compact;

/// <summary>
/// What can be wrong with a compact body; a verifier names it <c>bad-compact:&lt;what&gt;</c>
/// (docs/protocol.md §4 and §8). A member's own name says that member is missing, repeated or of the wrong form.
/// </summary>
public static class CompactProblems
{
    public const string Base64 = "base64";
    public const string Varint = "varint";
    public const string Range = "range";
    public const string Count = "count";
    public const string Streams = "streams";
}
