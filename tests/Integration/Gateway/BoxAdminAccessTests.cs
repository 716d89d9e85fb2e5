namespace EdgeTwin.Integration.Tests.Gateway;

using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// The gateway's status address as an intruder on the box finds it (issue 14): <c>/status</c>,
/// <c>/metrics</c> and the box page answer anyone on loopback; the twin and the bedside binding
/// command answer only the admin token; binding times are bounded. One real gateway process.
/// </summary>
public sealed class BoxAdminAccessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("edgetwin-it-admin-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task TwinAndBindings_AnswerOnlyTheAdminToken_StatusAndMetricsStayOpen_RefusalsCountedAndLogged()
    {
        using var mosquitto = new Mosquitto();
        var port = Mosquitto.FreePort();
        using var gateway = GatewayProcess.Start(_data, InProcessGateway.Args(_data, mosquitto.Port, $"--Status:Url=http://127.0.0.1:{port}"));
        using var anyone = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Wait.UntilAsync(async () => gateway.HasExited || await Answers(anyone, "/status"), Patience, () => "the status address" + gateway.Stderr);
        Assert.False(gateway.HasExited, gateway.Stderr);

        var token = BoxAdmin.Token(_data);
        Assert.Matches("^[0-9a-f]{64}$", token);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(BoxAdmin.TokenFile(_data)));

        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/status")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anyone.GetAsync("/")).StatusCode);

        var missing = await anyone.GetAsync("/twin");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("missing-token", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var guesser = new HttpClient { BaseAddress = anyone.BaseAddress };
        guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token[..63] + (token[63] == '0' ? '1' : '0'));
        Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync("/twin")).StatusCode);
        var admitByGuesser = await guesser.PostAsync("/twin/bindings", Json("""{"action":"admit","patient":"MRN-9","bed":"bed-1","devices":["sim-bed-1"]}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, admitByGuesser.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anyone.PostAsync("/twin/bindings", Json("""{"action":"admit","patient":"MRN-9","bed":"bed-1","devices":["sim-bed-1"]}"""))).StatusCode);

        using var admin = BoxAdmin.Client(anyone.BaseAddress!.ToString(), _data);
        var twin = JsonNode.Parse(await admin.GetStringAsync("/twin"))!;
        Assert.Empty(twin["state"]!["patients"]!.AsObject()); // the refused admissions changed nothing

        // Two of each, counted (the exporter may answer from a cache for a moment).
        await Wait.UntilAsync(async () => Refusals(await anyone.GetStringAsync("/metrics")) == "missing-token=2 wrong-token=2", Patience,
            () => "edgetwin_rejected{what=\"admin-request\"}: " + Refusals(anyone.GetStringAsync("/metrics").GetAwaiter().GetResult()));
        await Wait.UntilAsync(() => gateway.Stdout.Contains("Refused GET /twin from 127.0.0.1: missing-token", StringComparison.Ordinal), Patience, "log line 1091");
        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)));
    }

    [Fact]
    public async Task AdmitDated9999_IsRefused400WithTheReason_ChangesNothing_AndTheDeviceCanStillBeAdmittedAndDischarged()
    {
        using var mosquitto = new Mosquitto();
        var port = Mosquitto.FreePort();
        using var gateway = GatewayProcess.Start(_data, InProcessGateway.Args(_data, mosquitto.Port, $"--Status:Url=http://127.0.0.1:{port}"));
        using var admin = BoxAdmin.Client($"http://127.0.0.1:{port}", _data);
        await Wait.UntilAsync(async () => gateway.HasExited || await Answers(admin, "/twin"), Patience, () => "the twin" + gateway.Stderr);

        var future = await admin.PostAsync("/twin/bindings", Json("""{"action":"admit","patient":"MRN-1","bed":"bed-1","devices":["sim-bed-1"],"at":"9999-12-31T00:00:00.000Z"}"""));
        var old = await admin.PostAsync("/twin/bindings", Json("""{"action":"admit","patient":"MRN-1","bed":"bed-1","devices":["sim-bed-1"],"at":"2000-01-01T00:00:00.000Z"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        Assert.Contains("at-in-future:9999-12-31T00:00:00.000Z is more than 00:05:00 ahead of the box's clock", await future.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        Assert.Contains("at-before-retention:2000-01-01T00:00:00.000Z", await old.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(JsonNode.Parse(await admin.GetStringAsync("/twin"))!["state"]!["patients"]!.AsObject());

        var admitted = await admin.PostAsync("/twin/bindings", Json("""{"action":"admit","patient":"MRN-2","bed":"bed-1","devices":["sim-bed-1"]}"""));
        Assert.True(admitted.IsSuccessStatusCode, await admitted.Content.ReadAsStringAsync());
        var discharged = await admin.PostAsync("/twin/bindings", Json("""{"action":"discharge","patient":"MRN-2"}"""));
        Assert.True(discharged.IsSuccessStatusCode, await discharged.Content.ReadAsStringAsync());
        var readmitted = await admin.PostAsync("/twin/bindings", Json("""{"action":"admit","patient":"MRN-3","bed":"bed-1","devices":["sim-bed-1"]}"""));
        Assert.True(readmitted.IsSuccessStatusCode, await readmitted.Content.ReadAsStringAsync());
        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)));
    }

    /// <summary>Off loopback the status address serves only TLS, with the certificate Kestrel's settings name.</summary>
    [Fact]
    public async Task StatusUrlOffLoopback_WithACertificate_ServesHttps_AndTheTwinStillNeedsTheToken()
    {
        using var mosquitto = new Mosquitto();
        var port = Mosquitto.FreePort();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=box.test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(_data, "status.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_data, "status.key"), key.ExportPkcs8PrivateKeyPem());
        using var gateway = GatewayProcess.Start(_data, InProcessGateway.Args(_data, mosquitto.Port, $"--Status:Url=https://0.0.0.0:{port}",
            $"--Kestrel:Certificates:Default:Path={Path.Combine(_data, "status.pem")}", $"--Kestrel:Certificates:Default:KeyPath={Path.Combine(_data, "status.key")}"));
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint };
        using var https = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };

        await Wait.UntilAsync(async () => gateway.HasExited || await Answers(https, "/status"), Patience, () => "the status address over TLS" + gateway.Stderr);

        Assert.False(gateway.HasExited, gateway.Stderr);
        Assert.Equal(HttpStatusCode.Unauthorized, (await https.GetAsync("/twin")).StatusCode);
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync("/status"));
        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)));
    }

    private static string Refusals(string metrics) => string.Join(' ', Regex.Matches(metrics, @"^edgetwin_rejected(_total)?\{[^}]*problem=""(?<p>[a-z-]+)""[^}]*what=""admin-request""[^}]*\} (?<n>\d+)", RegexOptions.Multiline)
        .Select(m => $"{m.Groups["p"].Value}={m.Groups["n"].Value}").Order(StringComparer.Ordinal));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<bool> Answers(HttpClient http, string path)
    {
        try
        {
            return (await http.GetAsync(path)).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
