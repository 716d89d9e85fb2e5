namespace EdgeTwin.Integration.Tests.Cli;

using System.Net;
using System.Net.Http.Headers;
using EdgeTwin.Cli;
using EdgeTwin.Ingest;
using EdgeTwin.Ingest.Access;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Integration.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

/// <summary>
/// <c>edgetwin token</c> against the real ingest (issue 14): its token opens the routes of its role
/// and no other; one that has expired is refused; bad input mints nothing (exit 2). And the ingest
/// as a real process refuses plain HTTP beyond loopback with exit 78.
/// </summary>
public sealed class TokenCommandTests
{
    [Fact]
    public async Task Token_FromTheCli_OpensItsRolesRoutes_403Elsewhere_ExpiredOne401_BadInputExit2()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-token-").FullName;
        using var mosquitto = new Mosquitto();
        var url = $"http://127.0.0.1:{Mosquitto.FreePort()}";
        await using var ingest = IngestHost.Create([$"--urls={url}", $"--Ingest:Broker={mosquitto.Url}", $"--Ingest:Storage=litedb:{dir}", "--Logging:LogLevel:Default=Warning"]);
        await ingest.StartAsync();
        var keyFile = ingest.Services.GetRequiredService<TokenSigningKey>().KeyFile;
        using var http = new HttpClient { BaseAddress = new Uri(url) };

        var (code, token, err) = await CliAsync(TimeProvider.System, "token", "--role", "operator", "--expires", "8h", "--subject", "nurse-admin", "--key", keyFile);
        Assert.True(code == 0, err);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/api/chains", token));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(http, "/api/evidence", token));

        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-2));
        var (expiredCode, expired, _) = await CliAsync(past, "token", "--role", "operator", "--expires", "1d", "--key", keyFile);
        Assert.Equal(0, expiredCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, "/api/chains", expired));

        foreach (var bad in new[] { new[] { "--role", "root", "--expires", "1h" }, ["--role", "operator", "--expires", "0h"], ["--role", "operator", "--expires", "400d"], ["--role", "operator", "--expires", "soon"] })
        {
            var (badCode, output, badErr) = await CliAsync(TimeProvider.System, ["token", .. bad, "--key", keyFile]);
            Assert.True(badCode == CliApp.Usage && output.Length == 0, $"{string.Join(' ', bad)}: exit {badCode}, {badErr}");
        }

        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var (looseCode, _, looseErr) = await CliAsync(TimeProvider.System, "token", "--role", "operator", "--expires", "1h", "--key", keyFile);
        Assert.Equal(CliApp.Usage, looseCode);
        Assert.Contains("chmod 600", looseErr, StringComparison.Ordinal);

        await ingest.StopAsync();
        Directory.Delete(dir, recursive: true);
    }

    [Theory]
    [InlineData("http://0.0.0.0:{port}")]
    [InlineData("http://127.0.0.1:{port};http://[::]:{port2}")]
    public void Ingest_PlainHttpBeyondLoopback_RefusesToStart_Exit78_NamingTheAddress(string urls)
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-it-plain-").FullName;
        var configured = urls.Replace("{port}", Mosquitto.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{port2}", Mosquitto.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var process = new IngestWorkerProcess([$"--urls={configured}", $"--Ingest:Storage=litedb:{dir}"]);

        Assert.Equal(78, process.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("would serve tokens and patient data in plain HTTP beyond this machine", process.Output, StringComparison.Ordinal);
        Assert.Contains(configured.Split(';')[^1], process.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "ingest.db")), "nothing written by a refused start");
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<(int Code, string Out, string Err)> CliAsync(TimeProvider time, params string[] args)
    {
        var (code, stdout, stderr) = await Tool.RunAsync(time, args);
        return (code, stdout.Trim(), stderr);
    }
}
