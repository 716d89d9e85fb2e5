namespace EdgeTwin.Cli.Box;

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Outbox.Encryption;

/// <summary>
/// A client of a gateway's local API (its status address) that carries the admin token from the
/// token file (<c>Gateway:AdminTokenFile</c>, 0600, checked as the gateway checks it), as the
/// technician's <c>curl -H "Authorization: Bearer ..."</c> does.
/// </summary>
internal sealed class BoxClient : IDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:8480";
    public const string DefaultTokenFile = "/var/lib/edgetwin/admin-token";

    private readonly HttpClient _http;

    /// <summary>Throws <see cref="SecretFileException"/> when the token file is missing, unreadable or readable by others.</summary>
    public BoxClient(Uri gateway, string tokenFile, TimeSpan timeout)
    {
        var token = Convert.ToHexStringLower(SecretFile.Read(tokenFile, "admin token"));
        _http = new HttpClient { BaseAddress = gateway, Timeout = timeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The answer's status and JSON body (null when it had none); throws <see cref="HttpRequestException"/> when the gateway cannot be reached.</summary>
    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonNode? json = null;
        try
        {
            json = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            json = new JsonObject { ["error"] = text };
        }

        return ((int)response.StatusCode, json);
    }

    public void Dispose() => _http.Dispose();
}
