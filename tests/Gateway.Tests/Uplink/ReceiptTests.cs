namespace EdgeTwin.Gateway.Tests.Uplink;

using System.Text;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Gateway.Uplink;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

/// <summary>PROTOCOL §7: only a receipt signed by a listed ingest key, for this chain, naming the held record's hash, deletes.</summary>
public class ReceiptTests
{
    /// <summary>TEST KEYS ONLY: the ingest (0x44..44) and a forger (0x33..33).</summary>
    private const string IngestKeyHex = "0x4444444444444444444444444444444444444444444444444444444444444444";
    private const string IngestAddress = "0x7564105E977516C53bE337314c7E53838967bDaC";
    private const string ForgerKeyHex = "0x3333333333333333333333333333333333333333333333333333333333333333";

    [Theory]
    [InlineData(IngestAddress)]
    [InlineData("0x7564105e977516c53be337314c7e53838967bdac")]
    public void SignedReceipt_NamingTheHeldHash_FreesThatLaneUpToSeq(string listedAs)
    {
        using var temp = new TempDirectory();
        using var h = Harness(temp, out var uplink, out var seq, out var hash, listedAs);
        using var ingest = GatewayKey.FromPrivateKeyHex(IngestKeyHex);

        uplink.Statements.OnReceipt(Receipt.Sign("gw-test", "telemetry", h.Book.Head(Lane.Telemetry).Epoch, seq, hash, ingest).ToPayload());

        Assert.Equal(seq, DeleteThrough(h));
    }

    /// <summary>
    /// A receipt that arrives while the outbox is closed after a failed write (a full disk) is refused
    /// as such, not as naming a record the gateway does not hold, and frees nothing; the same receipt
    /// once the store is reopened frees the lane up to its seq.
    /// </summary>
    [Fact]
    public void SignedReceipt_WhileTheOutboxIsClosedOnAFullDisk_IsRefusedAsSuch_AndTakenOnceItIsReopened()
    {
        using var temp = new TempDirectory();
        var files = new FullDiskFiles();
        using var h = ThreeEventsCommitted(temp, files);
        var seq = h.Book.Head(Lane.Telemetry).Seq - 1;
        var hash = h.Book.Store.Read(Lane.Telemetry, seq, seq, 1)[0].Hash;
        var log = new FakeLogger<MqttUplink>();
        var uplink = Uplink(h, IngestAddress, log);
        CloseOnAFullDisk(h, files);
        using var ingest = GatewayKey.FromPrivateKeyHex(IngestKeyHex);
        var receipt = Receipt.Sign("gw-test", "telemetry", h.Book.Head(Lane.Telemetry).Epoch, seq, hash, ingest).ToPayload();

        uplink.Statements.OnReceipt(receipt);
        Assert.Null(DeleteThrough(h));
        Assert.Contains(log.Collector.GetSnapshot(), r => r.Message.Contains(StatementProblems.OutboxClosed, StringComparison.Ordinal));

        files.Full = false;
        Assert.True(h.Book.Store.TryReopen(out _));
        uplink.Statements.OnReceipt(receipt);
        Assert.Equal(seq, DeleteThrough(h));
    }

    [Fact]
    public void UnsignedReceipt_OfTheOldForm_FreesNothing()
    {
        using var temp = new TempDirectory();
        using var h = Harness(temp, out var uplink, out var seq, out _);

        uplink.Statements.OnReceipt(Encoding.UTF8.GetBytes($$"""{"lane":"telemetry","epoch":"{{h.Book.Head(Lane.Telemetry).Epoch}}","seq":{{seq}}}"""));

        Assert.Null(DeleteThrough(h));
    }

    [Fact]
    public void ReceiptSignedByAnotherKey_FreesNothing()
    {
        using var temp = new TempDirectory();
        using var h = Harness(temp, out var uplink, out var seq, out var hash);
        using var forger = GatewayKey.FromPrivateKeyHex(ForgerKeyHex);

        uplink.Statements.OnReceipt(Receipt.Sign("gw-test", "telemetry", h.Book.Head(Lane.Telemetry).Epoch, seq, hash, forger).ToPayload());

        Assert.Null(DeleteThrough(h));
    }

    [Fact]
    public void SignedReceipt_WithTheSignatureOfAnotherReceipt_FreesNothing()
    {
        using var temp = new TempDirectory();
        using var h = Harness(temp, out var uplink, out var seq, out var hash);
        using var ingest = GatewayKey.FromPrivateKeyHex(IngestKeyHex);
        var genuine = Receipt.Sign("gw-test", "telemetry", h.Book.Head(Lane.Telemetry).Epoch, 0, h.Book.Store.Read(Lane.Telemetry, 0, 0, 1)[0].Hash, ingest);

        uplink.Statements.OnReceipt((genuine with { Seq = seq, Hash = hash }).ToPayload());

        Assert.Null(DeleteThrough(h));
    }

    [Theory]
    [InlineData("wrong-hash")]
    [InlineData("other-gw")]
    [InlineData("other-epoch")]
    [InlineData("beyond-head")]
    [InlineData("other-lane-hash")]
    public void SignedByTheIngest_ButNotForThisGatewaysHeldRecord_FreesNothing(string variant)
    {
        using var temp = new TempDirectory();
        using var h = Harness(temp, out var uplink, out var seq, out var hash);
        using var ingest = GatewayKey.FromPrivateKeyHex(IngestKeyHex);
        var epoch = h.Book.Head(Lane.Telemetry).Epoch;
        var receipt = variant switch
        {
            "wrong-hash" => Receipt.Sign("gw-test", "telemetry", epoch, seq, h.Book.Store.Read(Lane.Telemetry, seq - 1, seq - 1, 1)[0].Hash, ingest),
            "other-gw" => Receipt.Sign("gw-other", "telemetry", epoch, seq, hash, ingest),
            "other-epoch" => Receipt.Sign("gw-test", "telemetry", new string('0', 32), seq, hash, ingest),
            "beyond-head" => Receipt.Sign("gw-test", "telemetry", epoch, h.Book.Head(Lane.Telemetry).Seq + 1, hash, ingest),
            _ => Receipt.Sign("gw-test", "alarm", h.Book.Head(Lane.Alarm).Epoch, 0, hash, ingest),
        };

        uplink.Statements.OnReceipt(receipt.ToPayload());

        var batch = new OutboxBatch();
        h.Retention.MoveTo(batch);
        Assert.True(batch.IsEmpty);
    }

    [Theory]
    [InlineData("""not json""")]
    [InlineData("""{"lane":"telemetry","epoch":"00000000000000000000000000000000","seq":"0"}""")]
    [InlineData("""[]""")]
    public void Malformed_FreesNothing(string receipt)
    {
        using var temp = new TempDirectory();
        using var h = Harness(temp, out var uplink, out _, out _);

        uplink.Statements.OnReceipt(Encoding.UTF8.GetBytes(receipt));

        Assert.Null(DeleteThrough(h));
    }

    [Fact]
    public void SignedResendRequest_QueuesTheHeldRecordsAgain_AForgedOneQueuesNothing()
    {
        using var temp = new TempDirectory();
        using var h = Harness(temp, out var uplink, out var seq, out _);
        using var ingest = GatewayKey.FromPrivateKeyHex(IngestKeyHex);
        using var forger = GatewayKey.FromPrivateKeyHex(ForgerKeyHex);
        var epoch = h.Book.Head(Lane.Telemetry).Epoch;
        uplink.Queue.Reset();
        while (uplink.Queue.TryNext(out _))
        {
        }

        uplink.Statements.OnResendRequest(ResendRequest.Sign("gw-test", "telemetry", epoch, 1, 2, forger).ToPayload());
        uplink.Statements.OnResendRequest(Encoding.UTF8.GetBytes($$"""{"gw":"gw-test","lane":"telemetry","epoch":"{{epoch}}","from":1,"to":2}"""));
        Assert.False(uplink.Queue.TryNext(out _));

        uplink.Statements.OnResendRequest(ResendRequest.Sign("gw-test", "telemetry", epoch, 1, 2, ingest).ToPayload());
        var sent = new List<Outgoing>();
        while (uplink.Queue.TryNext(out var next))
        {
            sent.Add(next!);
        }

        Assert.Equal([1L, 2L], sent.Select(o => o.Record.Seq));
        Assert.All(sent, o => Assert.True(o.Resent));
        Assert.True(seq >= 2);
    }

    [Fact]
    public void SignedResendRequest_ForEvictedRecords_IsAnsweredWithTheGapStatementThatCoversThem()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path, new OutboxOptions { TelemetryQuotaBytes = 64 * 1024 });
        var evictor = h.Evictor();
        var gaps = new List<(long From, long To, long Seq)>();
        for (var second = 0; second < 40; second++)
        {
            var t = h.Time.GetUtcNow();
            h.Book.AppendObs(new ObsBody("p-1", "dev-1", "mdc:131330", "mV", t, 4, Enumerable.Repeat<double?>(0.5, 250).ToList()), RecordClass.Waveform);
            h.Book.AppendObs(new ObsBody("p-1", "dev-1", "mdc:131330", "mV", t.AddSeconds(0.5), 4, Enumerable.Repeat<double?>(0.5, 250).ToList()), RecordClass.Waveform);
            h.Time.Advance(TimeSpan.FromSeconds(1));
            foreach (var r in h.Commit().Records.Where(r => Records.Kind(r.Payload) == "gap"))
            {
                var body = Records.Json(r).GetProperty("body");
                gaps.Add((body.GetProperty("from").GetInt64(), body.GetProperty("to").GetInt64(), r.Seq));
            }

            evictor.EvictIfOverQuota();
        }

        h.Commit();
        var (from, to, _) = gaps[0];
        Assert.Empty(h.Book.Store.Read(Lane.Telemetry, from, to, 1000));

        // The gap held now that names them (a later eviction may have absorbed the first statement into a wider one).
        var gapSeq = Assert.Single(h.Book.Store.Read(Lane.Telemetry, to + 1, long.MaxValue >> 16, 10_000),
            r => r.Kind == "gap" && Records.Json(r).GetProperty("body") is var b && b.GetProperty("from").GetInt64() <= from && b.GetProperty("to").GetInt64() >= to).Seq;
        using var ingest = GatewayKey.FromPrivateKeyHex(IngestKeyHex);
        var uplink = Uplink(h, IngestAddress);
        uplink.Queue.Reset();
        while (uplink.Queue.TryNext(out _))
        {
        }

        uplink.Statements.OnResendRequest(ResendRequest.Sign("gw-test", "telemetry", h.Book.Head(Lane.Telemetry).Epoch, from, to, ingest).ToPayload());

        var sent = new List<long>();
        while (uplink.Queue.TryNext(out var next))
        {
            sent.Add(next!.Record.Seq);
        }

        Assert.Equal([gapSeq], sent);
    }

    [Fact]
    public void SignedResendRequest_ForRecordsDeletedWithoutReceipts_SendsNothing_AndSaysTheyAreNotHeld()
    {
        // Records 1..3 went on the broker's PUBACK while receipts were off; an ingest met the chain later.
        using var temp = new TempDirectory();
        using var h = Harness(temp, out _, out var seq, out _);
        for (var s = 1L; s <= seq; s++)
        {
            h.Retention.Delete(Lane.Telemetry, s, 100);
        }

        h.Commit();
        Assert.Empty(h.Book.Store.Read(Lane.Telemetry, 1, seq, 100));
        var log = new FakeLogger<MqttUplink>();
        var uplink = Uplink(h, IngestAddress, log);
        uplink.Queue.Reset();
        while (uplink.Queue.TryNext(out _))
        {
        }

        using var ingest = GatewayKey.FromPrivateKeyHex(IngestKeyHex);
        uplink.Statements.OnResendRequest(ResendRequest.Sign("gw-test", "telemetry", h.Book.Head(Lane.Telemetry).Epoch, 1, seq, ingest).ToPayload());

        Assert.False(uplink.Queue.TryNext(out _));
        var line = Assert.Single(log.Collector.GetSnapshot(), r => r.Id.Id == 1046);
        Assert.Contains($"not-held: none of telemetry 1..{seq} is held and no gap statement covers it", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Collector.GetSnapshot(), r => r.Id.Id == 1047); // no "Re-sending" for what is not there
    }

    /// <summary>
    /// A resend request that arrives while the outbox is closed after a failed write (the disk full)
    /// is taken, and its records go out once the store is reopened: the closed store read as holding
    /// none of them, and the gateway answered "not-held" (the ingest then reports records missing that
    /// the box still holds).
    /// </summary>
    [Fact]
    public void SignedResendRequest_WhileTheOutboxIsClosedOnAFullDisk_IsTaken_AndItsRecordsGoOutOnceItIsReopened()
    {
        using var temp = new TempDirectory();
        var files = new FullDiskFiles();
        using var h = ThreeEventsCommitted(temp, files);
        var seq = h.Book.Head(Lane.Telemetry).Seq;
        var log = new FakeLogger<MqttUplink>();
        var uplink = Uplink(h, IngestAddress, log);
        uplink.Queue.Reset();
        uplink.Queue.Drain();

        CloseOnAFullDisk(h, files);
        using var ingest = GatewayKey.FromPrivateKeyHex(IngestKeyHex);
        uplink.Statements.OnResendRequest(ResendRequest.Sign("gw-test", "telemetry", h.Book.Head(Lane.Telemetry).Epoch, 1, seq, ingest).ToPayload());
        Assert.DoesNotContain(log.Collector.GetSnapshot(), r => r.Id.Id == 1046);
        Assert.False(uplink.Queue.TryNext(out _)); // nothing can be read yet

        files.Full = false;
        Assert.True(h.Book.Store.TryReopen(out _));

        Assert.Equal(Enumerable.Range(1, (int)seq).Select(i => (long)i), uplink.Queue.Drain());
    }

    /// <summary>
    /// The unreceipted-age gauge (/metrics, /status) during a full-disk episode: the outbox is closed and
    /// its oldest record cannot be read, yet it is still held and still unreceipted. The age goes on from
    /// it; it had dropped to zero for the episode, as if everything had been receipted.
    /// </summary>
    [Fact]
    public void OldestUnreceiptedAge_WhileTheOutboxIsClosedOnAFullDisk_GoesOnFromTheOldestHeldRecord_AndAfterTheReopenReadsItAgain()
    {
        using var temp = new TempDirectory();
        var files = new FullDiskFiles();
        using var h = ThreeEventsCommitted(temp, files);
        var uplink = Uplink(h, IngestAddress);
        h.Time.Advance(TimeSpan.FromMinutes(10));
        var open = uplink.Statements.OldestUnreceiptedAge(Lane.Telemetry);
        Assert.True(open >= TimeSpan.FromMinutes(10), $"{open}");

        CloseOnAFullDisk(h, files);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(open + TimeSpan.FromMinutes(5), uplink.Statements.OldestUnreceiptedAge(Lane.Telemetry));

        files.Full = false;
        Assert.True(h.Book.Store.TryReopen(out _));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(open + TimeSpan.FromMinutes(6), uplink.Statements.OldestUnreceiptedAge(Lane.Telemetry));
    }

    /// <summary>A book on <paramref name="files"/> with three telemetry events committed.</summary>
    private static BookHarness ThreeEventsCommitted(TempDirectory temp, FullDiskFiles files)
    {
        var h = new BookHarness(temp.Path, files: files);
        for (var i = 0; i < 3; i++)
        {
            h.Book.AppendEvent("test", new JsonObject { ["i"] = i });
        }

        h.Commit();
        return h;
    }

    /// <summary>The disk fills and the next commit fails: the store is closed until it is reopened.</summary>
    private static void CloseOnAFullDisk(BookHarness h, FullDiskFiles files)
    {
        files.Full = true;
        h.Book.AppendEvent("test", new JsonObject { ["i"] = 3 });
        Assert.Throws<OutboxUnavailableException>(() => h.Commit());
        Assert.True(h.Book.Store.IsClosed);
    }

    private static long? DeleteThrough(BookHarness h)
    {
        var batch = new OutboxBatch();
        h.Retention.MoveTo(batch);
        return batch.DeleteThrough.TryGetValue(Lane.Telemetry, out var through) ? through : null;
    }

    /// <summary>A book with a few telemetry records committed; <paramref name="seq"/> is its last, <paramref name="hash"/> that record's hash as held.</summary>
    private static BookHarness Harness(TempDirectory temp, out MqttUplink uplink, out long seq, out string hash, string signer = IngestAddress)
    {
        var h = new BookHarness(temp.Path);
        for (var i = 0; i < 3; i++)
        {
            h.Book.AppendEvent("test", new JsonObject { ["i"] = i });
        }

        h.Commit();
        seq = h.Book.Head(Lane.Telemetry).Seq;
        hash = h.Book.Store.Read(Lane.Telemetry, seq, seq, 1)[0].Hash;
        uplink = Uplink(h, signer);
        return h;
    }

    private static MqttUplink Uplink(BookHarness h, string signer, ILogger<MqttUplink>? logger = null)
    {
        var uplinkOptions = Options.Create(new UplinkOptions { Receipts = true, ReceiptSigners = [signer] });
        var gateway = Options.Create(h.Gateway);
        return new MqttUplink(uplinkOptions, gateway, h.Book, h.Retention, h.Ledger, new UplinkTopics(gateway, uplinkOptions), h.Time, h.Metrics,
            new SignedDocuments(h.Identity, gateway, h.Time), new RetiredChains(gateway, h.StorageKey, SyncedOutboxFiles.Instance, h.Book, NullLogger<RetiredChains>.Instance), logger ?? NullLogger<MqttUplink>.Instance);
    }
}
