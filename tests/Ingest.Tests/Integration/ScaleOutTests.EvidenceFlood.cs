namespace EdgeTwin.Ingest.Tests.Integration;

using System.Text;
using EdgeTwin.Ingest.Tests.Support;
using Npgsql;

/// <summary>
/// Anyone may publish on the broker: a flood of noise on a gateway's topic, against a real worker process,
/// real mosquitto and PostgreSQL. The worker keeps its evidence budget's worth, raises one
/// <c>evidence-over-budget</c> alert, and verifies the gateway's records published after the flood.
/// </summary>
public sealed partial class ScaleOutTests
{
    [Fact]
    public async Task AFloodOfNoiseOnAGatewaysTopic_TheWorkerKeepsItsEvidenceBudget_AlertsOnce_AndStillVerifiesTheGateway()
    {
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-f", "gw-flood", now);
        var id = $"f{Guid.NewGuid():N}"[..12];
        using var worker = new IngestWorkerProcess(
        [
            $"--Ingest:Broker={_broker.Uri}", $"--Ingest:Storage=postgres:{connection}", $"--Ingest:SharedGroup={id}",
            $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}", "--Ingest:EvidencePerGatewayPerMinute=100", $"--urls=http://127.0.0.1:{FreePort.Next()}",
        ]);
        await worker.WaitSubscribedAsync(TimeSpan.FromSeconds(60));
        await using var check = NpgsqlDataSource.Create(connection);
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);

        var flooding = System.Diagnostics.Stopwatch.StartNew();
        var topic = SimulatedGateway.Topic(TestMqttClient.Prefix, g.Site, g.Gw, EdgeTwin.Telemetry.Records.Lane.Telemetry);
        for (var i = 0; i < 1_000; i++)
        {
            await mqtt.PublishAsync(topic, Encoding.UTF8.GetBytes($"{{\"noise\":{i}}}"));
        }

        g.ProduceObs(20, now);
        g.Seal(now);
        foreach (var r in g.All.ToList())
        {
            await mqtt.PublishAsync(g, r);
        }

        await using (var verified = check.CreateCommand("SELECT coalesce(max(verified_through), -1) FROM ingest_chains WHERE gw = 'gw-flood' AND lane = 'telemetry'"))
        {
            await UntilAsync(async () => (long)(await verified.ExecuteScalarAsync())! == g.Telemetry.State.Seq - 1, "the gateway's telemetry verified to its last record", worker);
        }

        // Published before the gateway's records on one connection, so stored in the batches before or with them.
        // The budget: 100, and what the seconds since refilled (100 a minute, evenly).
        var most = 100 + (long)Math.Ceiling(flooding.Elapsed.TotalMinutes * 100);
        var kept = await CountAsync(check, "SELECT count(*) FROM ingest_evidence WHERE gw = 'gw-flood'");
        Assert.InRange(kept, 100L, most);
        Assert.Equal(1L, await CountAsync(check, "SELECT count(*) FROM ingest_alerts WHERE kind = 'evidence-over-budget' AND gw = 'gw-flood'"));
        // One per message kept; for the rest, one a minute.
        Assert.InRange(await CountAsync(check, "SELECT count(*) FROM ingest_alerts WHERE kind = 'rejected-record'"), kept + 1, kept + 1 + (long)flooding.Elapsed.TotalMinutes);
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
