namespace EdgeTwin.Ingest.Tests.Processing;

using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage.Postgres;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Time.Testing;
using static ProcessorHarness;

/// <summary>
/// Issue 13: a batch's chains each confirm their newly verified seqs against the stored records. With
/// many gateways every record is another chain's, and one look-up per chain was a round trip per
/// record; the batch now reads the stored hashes of all its chains in one. The commands PostgreSQL
/// received are counted from Npgsql's own tracing (its ActivitySource), this test's database only.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class StoredHashPrefetchTests(PostgresFixture pg)
{
    private const int Gateways = 12;
    private static readonly CheckpointPolicy EveryFour = new() { MaxRecords = 4, MaxDelay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task CheckpointsOfTwelveGateways_InOneBatch_ReadTheirStoredRecordsInOneRoundTrip_AndVerifyAndReceiptEveryChain()
    {
        var gateways = Enumerable.Range(0, Gateways).Select(i => new SimulatedGateway("ward7", $"bed-{i:D2}", T0, policy: EveryFour)).ToList();
        var options = new IngestOptions();
        foreach (var g in gateways)
        {
            options.Enrolled[g.Gw] = g.Key.Address;
        }

        var connection = await pg.CreateDatabaseAsync();
        var database = new Npgsql.NpgsqlConnectionStringBuilder(connection).Database!;
        await using var store = new PostgresIngestStore(connection);
        await store.InitializeAsync(default);
        var processor = new BatchProcessor(store, new FixedOptionsMonitor<IngestOptions>(options), new FakeTimeProvider(T0));

        // First batch: every gateway's genesis and 3 observations (stored, not yet verified: no checkpoint covers them).
        var checkpoints = new List<IncomingMessage>();
        var first = new List<IncomingMessage>();
        foreach (var g in gateways)
        {
            g.ProduceObs(3, T0);
            var telemetry = g.All.Where(r => r.Lane == Lane.Telemetry).ToList();
            Assert.Equal(RecordKinds.Checkpoint, telemetry[^1].Kind);
            first.AddRange(telemetry.SkipLast(1).Select(r => Message(g, r)));
            checkpoints.Add(Message(g, telemetry[^1]));
        }

        var stored = await processor.ProcessAsync(first, default);
        Assert.Equal((Gateways * 4, 0), (stored.Stored, stored.Receipts.Count));

        // Second batch: each gateway's checkpoint; its chain confirms seqs 0-3, stored by the first batch.
        using var commands = new CommandLog(database);
        var result = await processor.ProcessAsync(checkpoints, default);

        Assert.Equal(Gateways, result.Receipts.Count);
        Assert.All(result.Receipts, r => Assert.Equal(3, r.Seq));
        foreach (var g in gateways)
        {
            var chain = (await store.ChainsAsync(g.Gw, default)).Single(c => c.Id.Lane == "telemetry");
            Assert.Equal((3L, 3L, 0L), (chain.VerifiedThrough, chain.ReceiptedThrough, chain.Missing));
        }

        var reads = commands.Texts.Where(t => t.Contains("ingest_records", StringComparison.Ordinal) && t.TrimStart().StartsWith("SELECT", StringComparison.Ordinal)).ToList();
        Assert.Single(reads, t => t.Contains("unnest", StringComparison.Ordinal) && t.Contains("r.hash", StringComparison.Ordinal));
        Assert.DoesNotContain(reads, t => t.Contains("SELECT seq, hash FROM ingest_records", StringComparison.Ordinal));
    }

    /// <summary>The text of every command Npgsql sent to one database while it lives.</summary>
    private sealed class CommandLog : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<string> _texts = new();

        public CommandLog(string database)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    var tags = activity.TagObjects.ToList();
                    if (tags.Any(t => t.Value as string == database))
                    {
                        foreach (var (key, value) in tags)
                        {
                            if (key is "db.statement" or "db.query.text" && value is string text)
                            {
                                _texts.Enqueue(text);
                            }
                        }
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<string> Texts => [.. _texts];

        public void Dispose() => _listener.Dispose();
    }
}
