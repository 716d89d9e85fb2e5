namespace EdgeTwin.Ingest.Tests.Support;

using System.Net.Http.Headers;
using EdgeTwin.Ingest.Access;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Access;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The one way tests get a token for the ingest API: minted with the same code as
/// <c>edgetwin token</c>, from the ingest's signing key (its file, or the running host's). No
/// roles given: all three, for tests about something else than access control.
/// </summary>
internal static class IngestTokens
{
    public const string Subject = "test-user";

    /// <summary>A token from the key in <paramref name="keyFile"/> (the ingest creates it at start; a test may make it first with <see cref="NewKeyFile"/>).</summary>
    public static string Mint(string keyFile, params string[] roles) => Mint(SecretFile.Read(keyFile, "token signing key"), roles);

    /// <summary>A token from the signing key of an ingest host running in this process.</summary>
    public static string Mint(IServiceProvider ingest, params string[] roles) => Mint(ingest.GetRequiredService<TokenSigningKey>().Key, roles);

    public static string Mint(byte[] key, string[] roles, string subject = Subject, DateTimeOffset? issuedAt = null, TimeSpan? lifetime = null) =>
        AccessToken.Mint(key, subject, roles.Length == 0 ? AccessToken.Roles.ToArray() : roles, issuedAt ?? DateTimeOffset.UtcNow, lifetime ?? TimeSpan.FromHours(1));

    /// <summary>A new signing key file in <paramref name="directory"/> (0600), for an ingest started with <see cref="KeyFileArg"/>.</summary>
    public static string NewKeyFile(string directory)
    {
        var path = Path.Combine(directory, "auth.key");
        SecretFile.Create(path);
        return path;
    }

    public static string KeyFileArg(string keyFile) => $"--Ingest:Auth:SigningKeyFile={keyFile}";

    /// <summary>Sends <paramref name="token"/> as the bearer token on every request of <paramref name="http"/>.</summary>
    public static HttpClient WithToken(this HttpClient http, string token)
    {
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }
}
