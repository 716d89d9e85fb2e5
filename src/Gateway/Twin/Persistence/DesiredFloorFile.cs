namespace EdgeTwin.Gateway.Twin.Persistence;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Twin.Desired;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// The desired-state floor kept beside the twin store in a small file of its own
/// (<c>desired-floor.json</c>), so that losing <c>twin.db</c> does not reopen the door to an old
/// signed document (a rollback). Replaced whole: written beside, fsync'd, renamed over, directory
/// fsync'd. A file that does not read is reported and treated as absent, never trusted.
/// </summary>
internal sealed class DesiredFloorFile(string path)
{
    public string Path { get; } = path;

    /// <summary>The floor in the file; <see cref="DesiredFloor.None"/> when there is none; <paramref name="problem"/> says why a present file was not usable.</summary>
    public DesiredFloor Read(out string? problem)
    {
        problem = null;
        if (!File.Exists(Path))
        {
            return DesiredFloor.None;
        }

        try
        {
            var node = JsonNode.Parse(File.ReadAllText(Path)) as JsonObject ?? throw new JsonException("not a JSON object");
            var version = node["version"]?.GetValue<long>() ?? throw new JsonException("no version");
            var issuedText = node["issued"]?.GetValue<string>();
            DateTimeOffset? issued = issuedText is null ? null : DateTimeOffset.Parse(issuedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            return version < 0 ? throw new JsonException("negative version") : new DesiredFloor(version, issued);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            problem = $"'{Path}' does not read ({ex.Message})";
            return DesiredFloor.None;
        }
    }

    public void Write(DesiredFloor floor) =>
        AtomicFile.Replace(Path, new JsonObject
        {
            ["version"] = floor.Version,
            ["issued"] = floor.Issued is { } issued ? EtpTime.Format(issued) : null,
        }.ToJsonString() + "\n");
}
