namespace EdgeTwin.Ingest.Tests.Integration;

using EdgeTwin.Ingest.Tests.Support;
using Npgsql;

/// <summary>
/// Issue 13: a worker SIGKILLed while its batch sits uncommitted in a PostgreSQL transaction has
/// acknowledged none of it; with a lasting MQTT session (Ingest:ClientId + Ingest:SessionExpiry) the
/// broker delivers the batch again to the worker that comes back, and every record is stored once.
/// The gateway never re-sends anything here, so whatever arrives after the kill came from the broker.
/// </summary>
public sealed partial class ScaleOutTests
{
    [Fact]
    public async Task WorkerKilledWithItsBatchUncommitted_TheBrokerRedeliversIt_ToTheRestartedWorker_EveryRecordStoredOnce()
    {
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        using var g = Gateway16("site-k", "gw-kill", now);
        var id = $"k{Guid.NewGuid():N}"[..12];
        string[] args =
        [
            $"--Ingest:Broker={_broker.Uri}", $"--Ingest:Storage=postgres:{connection}", $"--Ingest:SharedGroup={id}",
            $"--Ingest:ClientId=ingest-{id}", "--Ingest:SessionExpiry=00:05:00", "--Ingest:BatchSize=32",
            $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}", "--Logging:LogLevel:EdgeTwin.Ingest.Mqtt=Debug",
        ];
        await using var check = NpgsqlDataSource.Create(connection);
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);

        using var a = new IngestWorkerProcess([.. args, $"--urls=http://127.0.0.1:{FreePort.Next()}"]);
        await a.WaitSubscribedAsync(TimeSpan.FromSeconds(60));
        g.ProduceObs(20, now);
        foreach (var r in g.All.ToList())
        {
            await mqtt.PublishAsync(g, r);
        }

        await UntilAsync(async () => await StoredAsync(check) == g.All.Count, "the first records stored", a);
        var committed = g.All.Count;

        // The test holds the gateway's chain rows: the worker's next batch waits for them inside its transaction.
        await using var blocker = await check.OpenConnectionAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockRows = new NpgsqlCommand("SELECT gw FROM ingest_chains FOR UPDATE", blocker, hold))
        {
            await lockRows.ExecuteNonQueryAsync();
        }

        var uncommitted = g.ProduceObs(40, now).Concat(g.Seal(now)).ToList();
        foreach (var r in uncommitted)
        {
            await mqtt.PublishAsync(g, r);
        }

        await UntilAsync(async () => await WaitingOnALockAsync(check) > 0, "the worker's batch waiting on the held chain rows", a);
        a.Kill();
        await hold.RollbackAsync();
        Assert.Equal(committed, await StoredAsync(check));

        using var b = new IngestWorkerProcess([.. args, $"--urls=http://127.0.0.1:{FreePort.Next()}"]);
        await b.WaitSubscribedAsync(TimeSpan.FromSeconds(60));
        await UntilAsync(async () => await StoredAsync(check) == g.All.Count, $"all {g.All.Count} records stored after the restart", b);

                Assert.Equal(g.All.Select(r => $"{g.Gw}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}").Order().ToList(), (await StoredRecordsAsync(check)).Order().ToList());
        await using (var cmd = check.CreateCommand("SELECT verified_through FROM ingest_chains WHERE lane = 'telemetry'"))
        {
            await UntilAsync(async () => (long)(await cmd.ExecuteScalarAsync())! == g.Telemetry.State.Seq - 1, "the telemetry chain verified to its last record", b);
        }

        Assert.Equal(uncommitted.Count, g.All.Count - committed);
    }

    private static Task<long> StoredAsync(NpgsqlDataSource db) => CountAsync(db, "SELECT count(*) FROM ingest_records");

    private static Task<long> WaitingOnALockAsync(NpgsqlDataSource db) =>
        CountAsync(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");

    /// <summary>Polls a counter of the real system until it holds, within 60 s; the worker's output on failure.</summary>
    private static Task UntilAsync(Func<Task<bool>> holds, string what, IngestWorkerProcess worker) =>
        InProcessIngest.EventuallyAsync(holds, TimeSpan.FromSeconds(60), () => $"{what}; worker output: {worker.Output}");
}
