namespace EdgeTwin.Gateway.Tests.Support;

using System.Diagnostics.Metrics;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

/// <summary>A real <see cref="ChainBook"/> over a temp data directory, a fake clock and a fixed test key.</summary>
internal sealed class BookHarness : IDisposable
{
    public const string KeyHex = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    private readonly ServiceMeterFactory _meters = new();

    public BookHarness(string dataDirectory, OutboxOptions? outbox = null, IOutboxFiles? files = null, FirstStartFiles? firstStart = null)
    {
        DataDirectory = dataDirectory;
        Directory.CreateDirectory(dataDirectory);
        var keyPath = Path.Combine(dataDirectory, "gateway.key");
        if (!File.Exists(keyPath))
        {
            using var key = EdgeTwin.Telemetry.Signing.GatewayKey.FromPrivateKeyHex(KeyHex);
            key.SaveToFile(keyPath);
        }

        Gateway = new GatewayOptions { Name = "gw-test", Site = "site-test", DataDirectory = dataDirectory };
        Outbox = outbox ?? new OutboxOptions();
        Metrics = new GatewayMetrics(_meters);
        Identity = new GatewayIdentity(Options.Create(Gateway), NullLogger<GatewayIdentity>.Instance);
        StorageKey = GatewayStorageKey.ForGateway(Gateway);
        Book = new ChainBook(Options.Create(Gateway), Options.Create(Outbox), Identity,
            OutboxOpener.OpenForGateway(Gateway.DataDirectoryFullPath, files ?? SyncedOutboxFiles.Instance, StorageKey, Time, firstStart),
            Time, new FixedClockQuality(ClockQuality.Synced), Metrics, NullLogger<ChainBook>.Instance);
        Ledger = new PublishLedger(Book.Store.Published(Lane.Telemetry));
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 16, 0, 0, TimeSpan.Zero));

    public GatewayOptions Gateway { get; }

    public OutboxOptions Outbox { get; }

    public GatewayMetrics Metrics { get; }

    public GatewayIdentity Identity { get; }

    public StorageKey StorageKey { get; }

    public ChainBook Book { get; }

    public RetentionRequests Retention { get; } = new();

    /// <summary>What the uplink handed out and the evictor named behind gaps (shared by <see cref="Evictor"/> and an uplink built on this book), from what the store kept.</summary>
    public PublishLedger Ledger { get; }

    /// <summary>Commits what is pending (and the retention requests, at most <paramref name="deleteBudget"/>) like the group committer does.</summary>
    public OutboxBatch Commit(int deleteBudget = int.MaxValue)
    {
        var batch = Book.TakeBatch(out _);
        Retention.MoveTo(batch);
        batch.DeleteBudget = deleteBudget;
        Book.Store.Commit(batch);
        Retention.Return(batch);
        Ledger.Deleted(batch.Delete.Take(batch.DeletesApplied));
        return batch;
    }

    /// <summary>An evictor over this book's store and retention requests, on a filesystem with room (unless <paramref name="space"/> says otherwise).</summary>
    public Evictor Evictor(IFreeSpace? space = null, StorageReserve? reserve = null) =>
        new(Book, Retention, Ledger, Options.Create(Outbox), Metrics, NullLogger<Evictor>.Instance, space ?? new FixedFreeSpace(1L << 40), reserve);

    /// <summary>A storage reserve in this data directory on <paramref name="space"/>.</summary>
    public StorageReserve Reserve(IFreeSpace space) => new(Options.Create(Gateway), Options.Create(Outbox), space, NullLogger<StorageReserve>.Instance);

    public void Dispose()
    {
        Book.Dispose();
        Identity.Dispose();
        _meters.Dispose();
    }

    private sealed class ServiceMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
