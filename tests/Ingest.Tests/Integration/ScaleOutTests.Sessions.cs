namespace EdgeTwin.Ingest.Tests.Integration;

using EdgeTwin.Ingest.Tests.Support;
using Npgsql;

/// <summary>
/// A packet id names a message only within its broker session. MQTTnet sends a PUBACK on whatever
/// connection is up, so a worker that stored a batch after its connection went and it connected
/// again with a clean start (the default: a new session) would acknowledge the old messages' ids on
/// the new session, where they may be other messages it has not stored. Between the worker and a real
/// mosquitto a proxy cuts the connection while the worker's batch waits on chain rows the test holds.
/// </summary>
public sealed partial class ScaleOutTests
{
    [Fact]
    public async Task ConnectionCutWhileABatchWaits_CleanStartAgain_TheOldSessionsMessagesAreStored_AndNoneIsAcknowledgedOnTheNewSession()
    {
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-s", "gw-session", now);
        await using var proxy = new MqttProxy(_broker.Port, dropPubacks: false);
        await using var ingest = await InProcessIngest.StartAsync(proxy.Uri, [InProcessIngest.NoProbe,
            $"--Ingest:Storage=postgres:{connection}", "--Ingest:BatchSize=16", $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"]);
        using var skipped = Counted(ingest, "edgetwin.ingest.acks.skipped");
        await using var check = NpgsqlDataSource.Create(connection);
        var (firstAcks, waiting) = await CutWhileABatchWaitsAsync(g, proxy, ingest, check, now);

        // The waiting records are stored; their PUBACKs would have named the new session's packet ids.
        Assert.Equal(g.All.Count - waiting, firstAcks);
        Assert.Equal(g.All.Select(r => $"{g.Gw}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}").Order().ToList(), (await StoredRecordsAsync(check)).Order().ToList());
        Assert.Empty(proxy.ClientPubacks(2));
        Assert.Equal(waiting, skipped.GetMeasurementSnapshot().Sum(m => m.Value));

        // The new session's own messages are acknowledged on it as ever.
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);
        var after = g.ProduceObs(2, now);
        foreach (var r in after)
        {
            await mqtt.PublishAsync(g, r);
        }

        await Until(async () => await StoredAsync(check) == g.All.Count && proxy.ClientPubacks(2).Count == after.Count, "the new session's records stored and acknowledged on it");
        Assert.Equal(2, proxy.Connections);
    }

    [Fact]
    public async Task ConnectionCutWhileABatchWaits_LastingSessionResumed_TheOldMessagesAreAcknowledgedOnIt_EveryRecordStoredOnce()
    {
        // With a lasting session the broker keeps the old packet ids (and sends those messages again): acknowledging them is right.
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-s", "gw-lasting", now);
        await using var proxy = new MqttProxy(_broker.Port, dropPubacks: false);
        await using var ingest = await InProcessIngest.StartAsync(proxy.Uri, [InProcessIngest.NoProbe,
            $"--Ingest:Storage=postgres:{connection}", "--Ingest:BatchSize=16", $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}",
            $"--Ingest:ClientId=ingest-lasting-{Guid.NewGuid():N}", "--Ingest:SessionExpiry=00:05:00"]);
        using var skipped = Counted(ingest, "edgetwin.ingest.acks.skipped");
        await using var check = NpgsqlDataSource.Create(connection);
        var (firstAcks, waiting) = await CutWhileABatchWaitsAsync(g, proxy, ingest, check, now);

        Assert.Equal(g.All.Select(r => $"{g.Gw}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}").Order().ToList(), (await StoredRecordsAsync(check)).Order().ToList());
        Assert.Equal(0, skipped.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(Enumerable.Range(firstAcks + 1, waiting), proxy.ClientPubacks(2).Distinct().Order());
    }

    /// <summary>
    /// The gateway's first records stored and acknowledged on connection 1; then its chain rows held,
    /// 5 more records waiting in their transaction, the connection cut, the worker connected again and
    /// subscribed (connection 2), the rows let go, and every record stored with nothing left held.
    /// Returns the PUBACKs connection 1 carried and how many records waited.
    /// </summary>
    private async Task<(int FirstAcks, int Waiting)> CutWhileABatchWaitsAsync(SimulatedGateway g, MqttProxy proxy, InProcessIngest ingest, NpgsqlDataSource check, DateTimeOffset now)
    {
        using var inFlight = Counted(ingest, "edgetwin.ingest.inflight");
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);
        g.ProduceObs(3, now);
        foreach (var r in g.All)
        {
            await mqtt.PublishAsync(g, r);
        }

        await Until(async () => await StoredAsync(check) == g.All.Count && Held(inFlight) == 0, "the first records stored and acknowledged");
        Assert.Equal(1, proxy.Connections);
        var firstAcks = proxy.ClientPubacks(1).Count;

        await using var blocker = await check.OpenConnectionAsync();
        await using var hold = await HoldChainRowsAsync(blocker, g.Gw);

        var waiting = g.ProduceObs(5, now);
        foreach (var r in waiting)
        {
            await mqtt.PublishAsync(g, r);
        }

        // The first of them may reach the lock before the others reach the worker: wait for both.
        await Until(async () => await WaitingOnALockAsync(check) > 0 && Held(inFlight) == waiting.Count, "the batch waiting on the held chain rows and every waiting record held");
        await proxy.CutAsync();
        await Until(() => Task.FromResult(proxy.Connections >= 2 && proxy.Subacks(2) > 0), "the worker connected again and subscribed");
        await hold.RollbackAsync();
        await Until(async () => await StoredAsync(check) == g.All.Count && Held(inFlight) == 0, "the waiting records stored and let go");
        return (firstAcks, waiting.Count);
    }
}
