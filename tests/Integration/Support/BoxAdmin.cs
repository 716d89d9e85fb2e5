namespace EdgeTwin.Integration.Tests.Support;

using System.Net.Http.Headers;

/// <summary>
/// A client of a gateway's status address that carries its admin token (<c>admin-token</c> in the
/// data directory, made at the gateway's start), as a technician's <c>curl -H "Authorization: Bearer ..."</c> would.
/// </summary>
internal static class BoxAdmin
{
    public static string TokenFile(string dataDirectory) => Path.Combine(dataDirectory, "admin-token");

    /// <summary>The token, once the starting gateway has written it.</summary>
    public static string Token(string dataDirectory)
    {
        var file = TokenFile(dataDirectory);
        Wait.Until(() => File.Exists(file) && new FileInfo(file).Length > 0, TimeSpan.FromSeconds(60), $"the gateway's admin token in {file}");
        return File.ReadAllText(file).Trim();
    }

    public static HttpClient Client(string baseUrl, string dataDirectory, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(dataDirectory));
        return http;
    }
}
