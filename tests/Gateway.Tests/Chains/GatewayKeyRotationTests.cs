namespace EdgeTwin.Gateway.Tests.Chains;

using System.Text.Json;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Issue 14: gateway key rotation in place at start-up (<see cref="GatewayKeyRotation"/>) on real
/// outbox files: the old chains sealed and retired with their records, new epochs under the new key
/// linked by the old key's signature, the next key promoted; and a power cut in the middle resumes.
/// </summary>
public sealed class GatewayKeyRotationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-keyrot-").FullName;

    [Fact]
    public void PendingRotation_OldChainsSealedAndRetiredWithTheirRecords_NewEpochsLinkedByTheOldKey_NextKeyPromoted()
    {
        var (oldHeads, oldAddress) = WriteSomeRecords();
        var next = PrepareNext();

        Complete(SyncedOutboxFiles.Instance);

        AssertRotated(oldHeads, oldAddress, next);
    }

    [Fact]
    public void PowerCutBeforeTheNewEpochsAreWritten_NextStartFinishesTheRotation_SealedOnce()
    {
        var (oldHeads, oldAddress) = WriteSomeRecords();
        var next = PrepareNext();
        var cut = new CutAt(Path.Combine(_dir, OutboxStore.DataFileName), afterOpens: 1);

        // The first open seals; the second (the new outbox) is cut off by the power cut.
        Assert.Throws<IOException>(() => Complete(cut));
        Assert.True(File.Exists(Path.Combine(_dir, "gateway.key.next")), "the next key waits until the end");
        using (var current = GatewayKey.LoadFromFile(Path.Combine(_dir, "gateway.key")))
        {
            Assert.Equal(oldAddress, current.Address);
        }

        Complete(SyncedOutboxFiles.Instance);

        AssertRotated(oldHeads, oldAddress, next);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void NextKeyReadableByOthers_StartRefused_NothingChanged()
    {
        var (oldHeads, _) = WriteSomeRecords();
        PrepareNext();
        File.SetUnixFileMode(Path.Combine(_dir, "gateway.key.next"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var e = Assert.ThrowsAny<Exception>(() => Complete(SyncedOutboxFiles.Instance));

        Assert.Contains("next gateway key of a pending rotation is unusable", e.Message, StringComparison.Ordinal);
        using var h = new BookHarness(_dir);
        Assert.Equal(oldHeads[Lane.Telemetry], h.Book.Head(Lane.Telemetry));
        Assert.False(Directory.Exists(Path.Combine(_dir, GatewayKeyRotation.RetiredDirectory)));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (Dictionary<Lane, ChainState> Heads, string Address) WriteSomeRecords()
    {
        using var h = new BookHarness(_dir);
        for (var i = 0; i < 20; i++)
        {
            h.Book.AppendObs(new ObsBody("p-1", "mon-1", "loinc:8867-4", "/min", h.Time.GetUtcNow(), 0, [70 + i]), RecordClass.Keep);
        }

        h.Book.CheckpointAll();
        h.Commit();
        return (new Dictionary<Lane, ChainState> { [Lane.Telemetry] = h.Book.Head(Lane.Telemetry), [Lane.Alarm] = h.Book.Head(Lane.Alarm) }, h.Identity.Key.Address);
    }

    private string PrepareNext()
    {
        using var next = GatewayKey.Generate();
        next.SaveToFile(Path.Combine(_dir, "gateway.key.next"));
        return next.Address;
    }

    private void Complete(IOutboxFiles files)
    {
        var options = new EdgeTwin.Gateway.Configuration.GatewayOptions { Name = "gw-test", Site = "site-test", DataDirectory = _dir };
        GatewayKeyRotation.CompleteIfPending(options, EdgeTwin.Gateway.Storage.GatewayStorageKey.ForGateway(options), files, TimeProvider.System, ClockQuality.Synced, NullLogger.Instance);
    }

    private void AssertRotated(Dictionary<Lane, ChainState> oldHeads, string oldAddress, string next)
    {
        Assert.False(File.Exists(Path.Combine(_dir, "gateway.key.next")));
        using (var key = GatewayKey.LoadFromFile(Path.Combine(_dir, "gateway.key")))
        {
            Assert.Equal(next, key.Address);
        }

        // The retired outbox: every record the old chains held, then exactly one key-rotation event and its checkpoint per lane.
        var retiredDir = Path.Combine(_dir, GatewayKeyRotation.RetiredDirectory, oldHeads[Lane.Telemetry].Epoch);
        var password = EdgeTwin.Outbox.Encryption.StorageKey.Open(Path.Combine(_dir, "storage.key"), generateWhenMissing: false).PasswordFor("outbox");
        Dictionary<Lane, ChainState> sealedHeads = [];
        using (var retired = OutboxStore.OpenReadOnly(retiredDir, password))
        {
            foreach (var (lane, old) in oldHeads)
            {
                var head = retired.Heads[lane];
                sealedHeads[lane] = head;
                Assert.Equal((old.Epoch, old.Seq + 2), (head.Epoch, head.Seq));
                var records = retired.Read(lane, 0, head.Seq, 10_000);
                Assert.Equal(head.Seq + 1, records.Count);
                var ev = records[^2];
                Assert.Equal(RecordKinds.Event, ev.Kind);
                var body = JsonDocument.Parse(ev.Payload).RootElement.GetProperty("body");
                Assert.Equal((KeyRotationLink.EventType, next), (body.GetProperty("type").GetString(), body.GetProperty("key").GetString()));
                Assert.Equal(RecordKinds.Checkpoint, records[^1].Kind);
                Assert.Single(records, r => r.Kind == RecordKinds.Event && r.Payload.AsSpan().IndexOf("key-rotation"u8) >= 0);
            }
        }

        // The new outbox: a genesis per lane under the new key, whose link the old key signed over the sealed head.
        using var h = new BookHarness(_dir);
        foreach (var lane in new[] { Lane.Telemetry, Lane.Alarm })
        {
            var genesis = h.Book.Store.Read(lane, 0, 0, 1).Single();
            var root = JsonDocument.Parse(genesis.Payload).RootElement;
            var body = root.GetProperty("body");
            Assert.Equal(("key-rotation", next), (body.GetProperty("reason").GetString(), body.GetProperty("key").GetString()));
            var link = KeyRotationLink.Read(body, out var problem);
            Assert.Null(problem);
            Assert.Equal((sealedHeads[lane].Epoch, sealedHeads[lane].Seq, sealedHeads[lane].Hash), (link!.Epoch, link.Seq, link.Hash));
            Assert.Equal(oldAddress, link.Signer("gw-test", lane == Lane.Alarm ? "alarm" : "telemetry", next, out _));
            Assert.Equal(next, h.Book.Head(lane).Key);
        }
    }

    /// <summary>The power-cut model: the n-th open of one file (after <c>afterOpens</c> good ones) fails as a dying disk would.</summary>
    private sealed class CutAt(string path, int afterOpens) : IOutboxFiles
    {
        private int _opens;

        public Stream Open(string p)
        {
            if (p == path && _opens++ >= afterOpens)
            {
                throw new IOException("power cut");
            }

            return SyncedOutboxFiles.Instance.Open(p);
        }
    }
}
