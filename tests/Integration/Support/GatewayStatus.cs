namespace EdgeTwin.Integration.Tests.Support;

using System.Text.Json;

/// <summary>Reads a gateway process's <c>GET /status</c> (null while it does not answer).</summary>
internal sealed class GatewayStatus(int port) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

    public string Url => $"--Status:Url=http://127.0.0.1:{port}";

    public JsonElement? Read()
    {
        try
        {
            using var response = _http.GetAsync("/status").GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.Clone() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public bool StorageFull => Read() is { } s && s.GetProperty("storage").GetProperty("full").GetBoolean();

    /// <summary>Times the outbox could not commit for lack of space since start (-1 while the gateway does not answer).</summary>
    public long StorageEpisodes => Storage("episodes");

    /// <summary>Times the storage reserve was given up since start (-1 while the gateway does not answer).</summary>
    public long ReserveReleases => Storage("reserveReleases");

    /// <summary>Bytes the storage reserve holds (-1 while the gateway does not answer).</summary>
    public long ReserveBytes => Storage("reserveBytes");

    public string? Annunciation => Read() is { } s ? s.GetProperty("annunciation").GetString() : null;

    public long Head(string lane) => Read() is { } s ? s.GetProperty("lanes").GetProperty(lane).GetProperty("seq").GetInt64() : -1;

    /// <summary>The backlog is published: nothing waits behind live records, and few records are still stored.</summary>
    public bool Drained => Read() is { } s && s.GetProperty("backlog").GetInt64() == 0
        && s.GetProperty("lanes").GetProperty("telemetry").GetProperty("storedRecords").GetInt64() < 1000;

    public void Dispose() => _http.Dispose();

    private long Storage(string member) => Read() is { } s ? s.GetProperty("storage").GetProperty(member).GetInt64() : -1;
}
