namespace EdgeTwin.Gateway.Storage;

using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Outbox.Durability;

/// <summary>
/// The drivers' cursors (the last stored record read from each glucose meter) in
/// <c>&lt;DataDirectory&gt;/device-cursors.json</c>, replaced whole at every change
/// (<see cref="AtomicFile"/>), so that after a restart a meter is asked only for newer records. A file
/// that does not read stops the gateway at start rather than reading every meter's records again.
/// </summary>
internal sealed class DeviceCursorFile : IDeviceCursorStore
{
    public const string FileName = "device-cursors.json";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _cursors;

    public DeviceCursorFile(string path)
    {
        Path = path;
        _cursors = Load(path);
    }

    public string Path { get; }

    public long? Read(string key)
    {
        lock (_gate)
        {
            return _cursors.TryGetValue(key, out var last) ? last : null;
        }
    }

    public void Write(string key, long last)
    {
        lock (_gate)
        {
            _cursors[key] = last;
            var json = new JsonObject();
            foreach (var (k, v) in _cursors.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                json[k] = v;
            }

            AtomicFile.Replace(Path, json.ToJsonString() + "\n");
        }
    }

    private static Dictionary<string, long> Load(string path)
    {
        var cursors = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return cursors;
        }

        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
            foreach (var (key, value) in node)
            {
                cursors[key] = value?.GetValue<long>() ?? throw new JsonException($"no number for '{key}'");
            }

            return cursors;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new Configuration.StartupException("Gateway:DataDirectory", $"'{path}' (the last record read from each device) does not read ({ex.Message}); repair or remove it (removed: every meter's stored records are read again)", ex);
        }
    }
}
