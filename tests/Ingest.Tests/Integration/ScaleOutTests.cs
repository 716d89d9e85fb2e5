namespace EdgeTwin.Ingest.Tests.Integration;

using System.Collections.Concurrent;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

/// <summary>
/// Issue 7 scale-out proof: two ingest worker processes in one shared-subscription group on a real
/// mosquitto, PostgreSQL behind them, 20 simulated gateways with real signed chains. One worker is
/// SIGKILLed mid-run. Every record is stored exactly once, everything sealed is verified, and every
/// receipt, checked the moment it arrives, covers only records that are in the database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ScaleOutTests
{
    private const int Gateways = 20;
    private readonly PostgresFixture _pg;
    private readonly MosquittoFixture _broker;

    public ScaleOutTests(PostgresFixture pg, MosquittoFixture broker)
    {
        _pg = pg;
        _broker = broker;
    }

    [Fact]
    public async Task TwoWorkers_OneKilledMidRun_EveryRecordStoredOnceAndVerified_NoReceiptAheadOfTheStore()
    {
        var connection = await _pg.CreateDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        var gateways = Enumerable.Range(1, Gateways)
            .Select(i => Gateway16($"site-{i % 3}", $"gw-{i:D2}", now))
            .ToList();
        var group = $"g{Guid.NewGuid():N}"[..12];
        string[] Args() =>
        [
            $"--Ingest:Broker={_broker.Uri}", $"--Ingest:Storage=postgres:{connection}", $"--Ingest:SharedGroup={group}",
            $"--urls=http://127.0.0.1:{FreePort.Next()}", "--Ingest:BatchSize=64",
            .. gateways.Select(g => $"--Ingest:Enrolled:{g.Gw}={g.Key.Address}"),
        ];
        // Worker a logs each batch it stores, so the test can see it holds a share of the work before it is killed.
        using var a = new IngestWorkerProcess([.. Args(), "--Logging:LogLevel:EdgeTwin.Ingest.Mqtt=Debug"]);
        using var b = new IngestWorkerProcess(Args());
        await Task.WhenAll(a.WaitSubscribedAsync(TimeSpan.FromSeconds(60)), b.WaitSubscribedAsync(TimeSpan.FromSeconds(60)));

        var violations = new ConcurrentQueue<string>();
        await using var check = NpgsqlDataSource.Create(connection);
        await using var mqtt = await TestMqttClient.ConnectAsync(_broker.Port);
        mqtt.OnReceipt = async (gw, lane, epoch, seq) =>
        {
            // Checked on arrival: the receipt was published after its commit, so all 0..seq must be there.
            await using var cmd = check.CreateCommand("SELECT count(*) FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq <= $4");
            cmd.Parameters.AddWithValue(gw);
            cmd.Parameters.AddWithValue(lane);
            cmd.Parameters.AddWithValue(epoch);
            cmd.Parameters.AddWithValue(seq);
            var stored = (long)(await cmd.ExecuteScalarAsync())!;
            if (stored != seq + 1)
            {
                violations.Enqueue($"receipt {gw}/{lane} seq {seq} but only {stored} records stored");
            }
        };
        foreach (var g in gateways)
        {
            mqtt.Track(g);
            foreach (var r in g.All)
            {
                await mqtt.PublishAsync(g, r);
            }
        }

        for (var round = 0; round < 6; round++)
        {
            foreach (var g in gateways)
            {
                var produced = g.ProduceObs(12, now);
                if (round % 2 == 0)
                {
                    produced.AddRange(g.ProduceAlarm(now));
                }

                foreach (var r in produced)
                {
                    await mqtt.PublishAsync(g, r);
                }
            }

            if (round == 2)
            {
                // The kill must matter: a has stored records of this run (its share of the group), so
                // the broker has to move the rest of its share to b.
                using var working = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                while (!StoredBatch().IsMatch(a.Output))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), working.Token);
                }

                a.Kill();
            }
        }

        foreach (var g in gateways)
        {
            foreach (var r in g.Seal(now))
            {
                await mqtt.PublishAsync(g, r);
            }
        }

        // Gateways resend what is not receipted (as the real outbox does) until all is receipted.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (!gateways.All(FullyReceipted))
        {
            await Task.Delay(TimeSpan.FromSeconds(2), deadline.Token);
            foreach (var g in gateways.Where(g => !FullyReceipted(g)))
            {
                foreach (var r in g.Unreceipted())
                {
                    await mqtt.PublishAsync(g, r);
                }
            }

            Assert.False(deadline.IsCancellationRequested, $"not all receipted; worker b: {b.Output}");
        }

        Assert.Empty(violations);
        var expected = gateways.SelectMany(g => g.All).Select(r => $"{Gw(r)}|{Lane(r)}|{r.Epoch}|{r.Seq}|{r.Hash}").Order().ToList();
        Assert.Equal(expected, (await StoredRecordsAsync(check)).Order().ToList());
        await using (var cmd = check.CreateCommand("SELECT count(*) FROM ingest_chains WHERE forks > 0 OR bad_sigs > 0 OR broken_links > 0"))
        {
            Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
        }

        Assert.True(mqtt.Receipts.Count >= Gateways * 2, "receipts arrived");
        Assert.Contains("Subscribed to", b.Output, StringComparison.Ordinal);
        foreach (var g in gateways)
        {
            g.Dispose();
        }
    }

    /// <summary>Every stored record as gw|lane|epoch|seq|hash.</summary>
    private static async Task<List<string>> StoredRecordsAsync(NpgsqlDataSource db)
    {
        var stored = new List<string>();
        await using var cmd = db.CreateCommand("SELECT gw, lane, epoch, seq, hash FROM ingest_records");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored.Add($"{reader.GetString(0)}|{reader.GetString(1)}|{reader.GetString(2)}|{reader.GetInt64(3)}|{reader.GetString(4)}");
        }

        return stored;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Batch of \d+: [1-9]\d* stored")]
    private static partial System.Text.RegularExpressions.Regex StoredBatch();

    private static bool FullyReceipted(SimulatedGateway g) =>
        g.ReceiptedThrough(EdgeTwin.Telemetry.Records.Lane.Telemetry) == g.Telemetry.State.Seq - 1
        && g.ReceiptedThrough(EdgeTwin.Telemetry.Records.Lane.Alarm) == g.Alarm.State.Seq - 1;

    /// <summary>A simulated gateway that checkpoints every 16 records (never on time), as every test here needs.</summary>
    private static SimulatedGateway Gateway16(string site, string gw, DateTimeOffset now) =>
        new(site, gw, now, policy: new CheckpointPolicy { MaxRecords = 16, MaxDelay = TimeSpan.FromHours(1) });

    /// <summary>Collects one of the in-process ingest's instruments from now on.</summary>
    private static Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long> Counted(InProcessIngest ingest, string instrument) =>
        new(ingest.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), EdgeTwin.Ingest.Metrics.IngestMetrics.MeterName, instrument);

    private static string Lane(ChainRecord r) => r.Lane == EdgeTwin.Telemetry.Records.Lane.Alarm ? "alarm" : "telemetry";

    private static string Gw(ChainRecord r) =>
        System.Text.Json.JsonDocument.Parse(r.Payload).RootElement.GetProperty("gw").GetString()!;
}
