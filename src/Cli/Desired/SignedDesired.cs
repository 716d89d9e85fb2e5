namespace EdgeTwin.Cli.Desired;

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Telemetry.Desired;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// A desired-state document made from an operator's state file: checked against the schema the
/// gateway applies (<see cref="DesiredSettingsParser"/>, the same code) before it is signed, so
/// <c>sign-desired</c> and <c>desired publish</c> never sign what the gateway would refuse for its
/// content. Whether it fits the gateway's devices, version floor and stays only the gateway knows.
/// </summary>
internal static class SignedDesired
{
    /// <summary>The signed envelope, or null with <paramref name="problem"/> (a line for stderr).</summary>
    public static byte[]? Make(FileInfo keyFile, string gw, long version, FileInfo stateFile, TimeProvider time, out string? problem)
    {
        try
        {
            if (JsonNode.Parse(File.ReadAllText(stateFile.FullName, Encoding.UTF8)) is not JsonObject state)
            {
                problem = "STATE.json must hold a JSON object";
                return null;
            }

            if (!DesiredSettingsParser.TryParse(state, out _, out var refusal))
            {
                problem = $"the gateway would refuse this state: {refusal}; nothing signed";
                return null;
            }

            using var key = GatewayKey.LoadFromFile(keyFile.FullName);
            problem = null;
            return DesiredEnvelope.Sign(new DesiredDocument(gw, version, time.GetUtcNow(), state), key);
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException or JsonException or ArgumentException)
        {
            problem = e.Message;
            return null;
        }
    }
}
