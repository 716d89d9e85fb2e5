namespace EdgeTwin.Ingest.Tests.AlarmsOut;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;

/// <summary><c>/api/alarms</c> and the gateway's twin: what a forwarded alarm shows, and bad input answered 400/404.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AlarmsApiTests(MosquittoFixture broker)
{
    [Fact]
    public async Task Alarms_ShowTheQueuedPcd04PerManager_AlsoInTheGatewayTwin_BadGwOrLimit400_UnknownAlert404()
    {
        await using var ingest = await InProcessIngest.StartAsync(broker.Uri,
            ["--Ingest:AlarmManagers:0:Name=pager", "--Ingest:AlarmManagers:0:Host=127.0.0.1", "--Ingest:AlarmManagers:0:Port=9", "--Ingest:AlarmsOut:Send=false"]);
        var queue = ingest.Services.GetRequiredService<AlarmQueue>();
        var record = StoreContractTests.AlarmRecord(1, "raised", "high");
        await ingest.Store.WriteAsync([record.Chain], "site-a", s => queue.QueueAsync(s, record.Chain, "site-a", [record], DateTimeOffset.UtcNow), default);

        var all = await ingest.GetArrayAsync("/api/alarms?gw=gw-1");
        var alarm = Assert.Single(all)!;
        Assert.Equal(("gw-1.0123456789ab.1", "spo2-low", "high", "start", true), (alarm["alertId"]!.GetValue<string>(), alarm["condition"]!.GetValue<string>(),
            alarm["priority"]!.GetValue<string>(), alarm["phase"]!.GetValue<string>(), alarm["open"]!.GetValue<bool>()));
        var message = Assert.Single(alarm["messages"]!.AsArray())!;
        Assert.Equal(("pager", "queued", 0), (message["manager"]!.GetValue<string>(), message["status"]!.GetValue<string>(), message["attempts"]!.GetValue<int>()));
        Assert.Empty(alarm["statuses"]!.AsArray());
        Assert.Equal("gw-1.0123456789ab.1", (await ingest.Http.GetFromJsonAsync<JsonObject>("/api/alarms/gw-1.0123456789ab.1"))!["alertId"]!.GetValue<string>());
        var twin = (await ingest.Http.GetFromJsonAsync<JsonObject>("/api/twins/gw-1"))!;
        Assert.Equal("gw-1.0123456789ab.1", Assert.Single(twin["alarmsOut"]!.AsArray())!["alertId"]!.GetValue<string>());

        var badGw = await ingest.Http.GetAsync("/api/alarms?gw=GW_1");
        Assert.Equal(HttpStatusCode.BadRequest, badGw.StatusCode);
        Assert.Contains("is not a gateway name", await badGw.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await ingest.Http.GetAsync("/api/alarms?limit=0")).StatusCode);
        var unknown = await ingest.Http.GetAsync("/api/alarms/gw-1.ffffffffffff.9");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no alarm 'gw-1.ffffffffffff.9'", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(AcmMessageRow.Queued, Assert.Single(await ((IAlarmOutStore)ingest.Store).AcmOutstandingAsync("pager", 10, default)).Status);
    }
}
