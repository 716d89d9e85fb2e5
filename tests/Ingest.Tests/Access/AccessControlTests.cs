namespace EdgeTwin.Ingest.Tests.Access;

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Access;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Storage;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

/// <summary>
/// Issue 14 against the real ingest host (in this process, on LiteDB and on PostgreSQL): each route
/// without a token 401, with a wrong role 403, with its role the answer it gives; each refusal
/// counted; reads of patient data in the access log, which only the auditor reads.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AccessControlTests(PostgresFixture postgres, MosquittoFixture broker)
{
    private const string C = IngestPolicies.Clinician;
    private const string O = IngestPolicies.Operator;
    private const string A = IngestPolicies.Auditor;
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    /// <summary>Route (with {gw}, {patient}, {epoch}, {checkpoint} filled in), the roles that read it, what they get.</summary>
    private static readonly (string Path, string[] Roles, HttpStatusCode Answer)[] Routes =
    [
        ("/api/chains", [O], HttpStatusCode.OK),
        ("/api/alerts", [O], HttpStatusCode.OK),
        ("/api/anchors", [O], HttpStatusCode.OK),
        ("/metrics", [O], HttpStatusCode.OK),
        ("/api/twins/{gw}", [C], HttpStatusCode.OK),
        ("/api/patients/{patient}/twin", [C], HttpStatusCode.OK),
        ("/api/patients/{patient}/observations", [C], HttpStatusCode.OK),
        ("/api/alarms", [C], HttpStatusCode.OK),
        ("/api/alarms/gw-1.0123456789ab.1", [C], HttpStatusCode.OK),
        ("/api/ward", [C], HttpStatusCode.OK),
        ("/api/ward/events", [C, O], HttpStatusCode.OK),
        ("/api/proofs/{gw}/telemetry/{epoch}/{checkpoint}", [C, O], HttpStatusCode.NotFound), // seeded, not anchored: no leaf yet, which 404 says
        ("/api/evidence", [A], HttpStatusCode.OK),
        ("/api/access-log", [A], HttpStatusCode.OK),
        ("/", [C, O, A], HttpStatusCode.OK),
        ("/chains.html", [C, O, A], HttpStatusCode.OK),
    ];

    [Theory]
    [InlineData("litedb")]
    [InlineData("postgres")]
    public async Task EveryRoute_NoToken401_WrongRole403_ItsRoleAnswers_RefusalsCounted_PatientReadsInTheAccessLog(string backend)
    {
        string[] storage = backend == "postgres" ? [$"--Ingest:Storage=postgres:{await postgres.CreateDatabaseAsync()}"] : [];
        await using var ingest = await InProcessIngest.StartAsync(broker.Uri,
            [.. storage, "--Ingest:AlarmManagers:0:Name=pager", "--Ingest:AlarmManagers:0:Host=127.0.0.1", "--Ingest:AlarmManagers:0:Port=9", "--Ingest:AlarmsOut:Send=false"]);
        using var g = new SimulatedGateway("ward7", "gw-1", T0, policy: new CheckpointPolicy { MaxRecords = 3, MaxDelay = TimeSpan.FromHours(1) });
        List<ChainRecord> records = [g.All[0], .. g.ProduceObs(3, T0.AddSeconds(1))];
        await StoreSeeder.SeedAsync(ingest.Store, "ward7", records, verifiedThrough: records.Count - 1);
        var checkpoint = records.Last(r => r.Kind == "checkpoint");
        var alarm = StoreContractTests.AlarmRecord(1, "raised", "high");
        await ingest.Store.WriteAsync([alarm.Chain], "ward7", s => ingest.Services.GetRequiredService<AlarmQueue>().QueueAsync(s, alarm.Chain, "ward7", [alarm], DateTimeOffset.UtcNow), default);
        string Fill(string path) => path.Replace("{gw}", g.Gw, StringComparison.Ordinal).Replace("{patient}", g.Patient, StringComparison.Ordinal)
            .Replace("{epoch}", checkpoint.Epoch, StringComparison.Ordinal).Replace("{checkpoint}", checkpoint.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        using var refused = new MetricCollector<long>(ingest.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), IngestMetrics.MeterName, "edgetwin.ingest.http.refused");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = ingest.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        var key = ingest.Services.GetRequiredService<TokenSigningKey>().Key;
        var expired = IngestTokens.Mint(key, [C, O, A], issuedAt: DateTimeOffset.UtcNow.AddHours(-2), lifetime: TimeSpan.FromHours(1));
        var forged = IngestTokens.Mint(new byte[32], [C, O, A]);
        var expectedUnauthenticated = 0;
        var expectedForbidden = 0;
        foreach (var (template, roles, answer) in Routes)
        {
            var path = Fill(template);
            var page = !path.StartsWith("/api", StringComparison.Ordinal) && path != "/metrics"; // a scraper gets 401, not the sign-in page
            foreach (var bad in new[] { null, expired, forged, "not-a-token" })
            {
                var status = await StatusAsync(http, path, bad);
                Assert.True(page ? status == HttpStatusCode.Redirect : status == HttpStatusCode.Unauthorized, $"{path} with token '{bad?[..Math.Min(bad.Length, 12)]}': {status}");
                expectedUnauthenticated++;
            }

            foreach (var role in new[] { C, O, A })
            {
                var status = await StatusAsync(http, path, IngestTokens.Mint(key, [role]));
                var expected = roles.Contains(role) ? answer : HttpStatusCode.Forbidden;
                Assert.True(status == expected, $"{path} as {role}: {status}, expected {expected}");
                expectedForbidden += roles.Contains(role) ? 0 : 1;
            }
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/healthz", null));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/api/identity", null));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, "/signin", null));
        var counts = refused.GetMeasurementSnapshot().GroupBy(m => (string)m.Tags["outcome"]!).ToDictionary(x => x.Key, x => x.Sum(m => m.Value));
        Assert.Equal(expectedUnauthenticated, counts.GetValueOrDefault("unauthenticated"));
        Assert.Equal(expectedForbidden, counts.GetValueOrDefault("forbidden"));

        // The access log: the clinician's reads of the patient (and the operator's refused one), for the auditor only.
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IngestTokens.Mint(key, [A]));
        var log = JsonNode.Parse(await http.GetStringAsync($"/api/access-log?patient={g.Patient}"))!.AsArray();
        var reads = log.Select(e => ((string)e!["route"]!, (string)e["roles"]!, (int)e["status"]!, (string)e["subject"]!)).ToList();
        Assert.Contains(("GET /api/patients/{pseudonym}/observations", C, 200, IngestTokens.Subject), reads);
        Assert.Contains(("GET /api/patients/{pseudonym}/observations", O, 403, IngestTokens.Subject), reads);
        Assert.Contains(("GET /api/patients/{pseudonym}/twin", C, 200, IngestTokens.Subject), reads);
        Assert.All(log, e => Assert.Equal(g.Patient, (string)e!["patient"]!));
        Assert.Equal(6, log.Count); // two routes x three roles; anonymous and forged callers are refused before any entry
        var gatewayReads = JsonNode.Parse(await http.GetStringAsync("/api/access-log?limit=10000"))!.AsArray();
        Assert.Contains(gatewayReads, e => (string?)e!["gw"] == g.Gw && (string)e["route"]! == "GET /api/twins/{gw}" && (int)e["status"]! == 200);
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync($"/api/access-log?patient={g.Patient}&since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}"))!.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(http, "/api/access-log?since=yesterday", IngestTokens.Mint(key, [A])));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(http, "/api/access-log?limit=0", IngestTokens.Mint(key, [A])));
    }

    internal static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        // Headers only: the event stream never ends.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }
}
