namespace EdgeTwin.Ingest.Tests.Integration;

using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using Npgsql;

/// <summary>
/// Issue 13: a worker stores in lanes split by gateway (<c>Ingest:StoreLanes</c>), on PostgreSQL and a
/// real mosquitto. A gateway whose transaction waits does not hold up another lane's gateways, and
/// still no message is acknowledged ahead of one received before it.
/// </summary>
public sealed partial class ScaleOutTests
{
    [Fact]
    public async Task OneGatewaysChainRowsHeld_AGatewayOfTheOtherLaneIsStoredAndVerified_ButNothingIsAcknowledgedAheadOfTheHeldRecords()
    {
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        var slowName = "gw-lane-a";
        var fastName = Enumerable.Range(0, 100).Select(i => $"gw-lane-{i}").First(n => BatchPipeline<string, int>.LaneOf(n, 2) != BatchPipeline<string, int>.LaneOf(slowName, 2));
        using var slow = Gateway16("site-l", slowName, now);
        using var fast = Gateway16("site-l", fastName, now);
        await using var ingest = await InProcessIngest.StartAsync(_broker.Uri, [InProcessIngest.NoProbe,
            $"--Ingest:Storage=postgres:{connection}", "--Ingest:BatchSize=16", "--Ingest:StoreLanes=2",
            $"--Ingest:Enrolled:{slow.Gw}={slow.Key.Address}", $"--Ingest:Enrolled:{fast.Gw}={fast.Key.Address}"]);
        using var inFlight = Counted(ingest, "edgetwin.ingest.inflight");
        await using var check = NpgsqlDataSource.Create(connection);
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);

        // The slow gateway's chains exist (its first records stored and acknowledged)...
        slow.ProduceObs(3, now);
        foreach (var r in slow.All)
        {
            await mqtt.PublishAsync(slow, r);
        }

        await Until(async () => await StoredAsync(check) == slow.All.Count && Held(inFlight) == 0, "the slow gateway's first records stored and acknowledged");

        // ...then another connection holds its chain rows, and its next records wait in their transaction.
        await using var blocker = await check.OpenConnectionAsync();
        await using var hold = await HoldChainRowsAsync(blocker, slow.Gw);

        var waiting = slow.ProduceObs(5, now);
        foreach (var r in waiting)
        {
            await mqtt.PublishAsync(slow, r);
        }

        await Until(async () => await WaitingOnALockAsync(check) > 0, "the slow gateway's batch waiting on its held chain rows");

        // The other lane's gateway, received after them, is stored and verified to its last record meanwhile.
        fast.ProduceObs(20, now);
        fast.Seal(now);
        foreach (var r in fast.All)
        {
            await mqtt.PublishAsync(fast, r);
        }

        await using (var verified = check.CreateCommand("SELECT verified_through FROM ingest_chains WHERE gw = $1 AND lane = 'telemetry'"))
        {
            verified.Parameters.AddWithValue(fast.Gw);
            await Until(async () => await verified.ExecuteScalarAsync() is long v && v == fast.Telemetry.State.Seq - 1, "the other lane's gateway verified to its last record while the slow one waits");
        }

        // Nothing received after the waiting records is acknowledged before them (MQTT 5 §4.6).
        Assert.True(await WaitingOnALockAsync(check) > 0);
        Assert.Equal(waiting.Count + fast.All.Count, Held(inFlight));

        await hold.RollbackAsync();
        await Until(async () => await StoredAsync(check) == slow.All.Count + fast.All.Count && Held(inFlight) == 0, "every record stored and acknowledged once the rows are free");
        Assert.Equal(
            slow.All.Select(r => $"{slow.Gw}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}").Concat(fast.All.Select(r => $"{fast.Gw}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}")).Order().ToList(),
            (await StoredRecordsAsync(check)).Order().ToList());
    }
}
