namespace EdgeTwin.Integration.Tests.Ingest;

using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Signing;
using Xunit.Abstractions;

/// <summary>
/// Issue 21 and the receipt part of issue 11, against real mosquitto, the real gateway process and
/// the real ingest process: the cloud gets what it missed (re-send until receipted, signed re-send
/// requests), and only signed receipts and requests change anything at the gateway.
/// </summary>
public sealed class ResendTests(ITestOutputHelper output)
{
    /// <summary>How long catching up may take on a loaded two-core test machine (stated by the issue's proof).</summary>
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan Wait60 = TimeSpan.FromSeconds(60);
    private static readonly string[] Lanes = ["telemetry", "alarm"];

    /// <summary>
    /// The issue's table: the ingest starts once the gateway has written 800 telemetry records (about
    /// 20 s of a 4-bed ward) that nobody received. Only the gateway's timer brings them back here
    /// (the ingest asks for nothing within the test's time).
    /// </summary>
    [Fact]
    public async Task IngestStartedLate_GatewayResendsAfterResendAfter_EveryRecordFromGenesisVerifiedOnBothLanes_OutboxEmptiesBehindTheLastReceipt()
    {
        using var rig = new ResendRig();
        await CatchUpAsync(rig, ["--Uplink:ResendAfter=00:00:05"], ["--Ingest:ResendInterval=01:00:00"], "timer");
    }

    /// <summary>The same, with the gateway's timer out of the way: the ingest's signed re-send requests alone bring the records back.</summary>
    [Fact]
    public async Task IngestStartedLate_IngestAsksForWhatItMisses_EveryRecordFromGenesisVerifiedOnBothLanes_OutboxEmptiesBehindTheLastReceipt()
    {
        using var rig = new ResendRig();
        await CatchUpAsync(rig, ["--Uplink:ResendAfter=01:00:00"], [], "requests");
    }

    [Fact]
    public async Task MosquittoRestartedWithoutPersistence_WhileRecordsAreInFlight_EveryRecordVerified()
    {
        using var rig = new ResendRig(brokerPersistence: false);
        rig.StartIngest();
        rig.StartGateway("--Uplink:ResendAfter=00:00:05");
        var epochs = await EpochsAsync(rig);
        await Wait.UntilAsync(async () => await rig.VerifiedThroughAsync("telemetry", epochs["telemetry"]) >= 100, Wait60 * 2, () => "100 telemetry records verified\n" + rig.Output());

        rig.Broker.Stop(); // no persistence: every session and queued message is gone
        var atStop = (await rig.LaneAsync("telemetry")).Head;
        await Wait.UntilAsync(async () => (await rig.LaneAsync("telemetry")).Head >= atStop + 100, Wait60, () => "100 records written while the broker is down");
        rig.Broker.Start();

        await AllVerifiedAfterAGracefulStopAsync(rig, epochs, await HeadsAsync(rig));
    }

    /// <summary>
    /// The ingest subscribes with a clean start and no session expiry, so whatever is published while
    /// it is down is dropped by the broker: the case of a session that expired.
    /// </summary>
    [Fact]
    public async Task IngestDownLongerThanItsSessionExpiry_EveryRecordVerified()
    {
        using var rig = new ResendRig();
        rig.StartIngest();
        rig.StartGateway("--Uplink:ResendAfter=00:00:05");
        var epochs = await EpochsAsync(rig);
        await Wait.UntilAsync(async () => await rig.VerifiedThroughAsync("telemetry", epochs["telemetry"]) >= 100, Wait60 * 2, () => "100 telemetry records verified\n" + rig.Output());

        rig.StopIngest();
        var atStop = (await rig.LaneAsync("telemetry")).Head;
        await Wait.UntilAsync(async () => (await rig.LaneAsync("telemetry")).Head >= atStop + 200, Wait60, () => "200 records written while the ingest is down");
        rig.StartIngest();

        await AllVerifiedAfterAGracefulStopAsync(rig, epochs, await HeadsAsync(rig));
    }

    [Fact]
    public async Task ForgedResendRequests_UnsignedOrSignedByAnotherKey_SendNothing_TheIngestKeysRequestDoes()
    {
        using var rig = new ResendRig();
        rig.StartGateway("--Uplink:ResendAfter=01:00:00");
        var (epoch, _, _) = await WhenWrittenAsync(rig, 50);
        using var forger = GatewayKey.Generate();

        await rig.PublishAsync(rig.Topic("resend"), Encoding.UTF8.GetBytes($$"""{"gw":"gw-it","lane":"telemetry","epoch":"{{epoch}}","from":0,"to":40}"""));
        await rig.PublishAsync(rig.Topic("resend"), ResendRequest.Sign("gw-it", "telemetry", epoch, 0, 40, forger).ToPayload());
        await Wait.UntilAsync(async () => await rig.MetricAsync("edgetwin_rejected", "what=\"resend\"") >= 2, Wait60, () => "two re-send requests rejected\n" + rig.Output());

        Assert.Equal(0, await rig.MetricAsync("edgetwin_uplink_resent"));
        Assert.Equal(0, await rig.MetricAsync("edgetwin_uplink_published", "source=\"resend\""));
        Assert.Equal(1, await rig.MetricAsync("edgetwin_rejected", "problem=\"malformed\",what=\"resend\""));
        Assert.Equal(1, await rig.MetricAsync("edgetwin_rejected", "problem=\"unlisted-signer\",what=\"resend\""));

        // The control: the same request signed by the ingest key is answered with exactly those 41 records.
        using var ingest = GatewayKey.LoadFromFile(rig.IngestKeyFile);
        await rig.PublishAsync(rig.Topic("resend"), ResendRequest.Sign("gw-it", "telemetry", epoch, 0, 40, ingest).ToPayload());
        await Wait.UntilAsync(async () => await rig.MetricAsync("edgetwin_uplink_resent") >= 41, Wait60, () => "41 records re-sent\n" + rig.Output());
    }

    [Fact]
    public async Task UnsignedForgedAndWrongHashReceipts_DeleteNothing_ASignedReceiptShrinksTheOutbox()
    {
        using var rig = new ResendRig();
        await using var capture = await Capture.StartAsync(rig.Broker.Port);
        const long Seq = 200;
        var (epoch, HashAt) = await CapturedThroughAsync(rig, capture, Seq);
        using var ingest = GatewayKey.LoadFromFile(rig.IngestKeyFile);
        using var forger = GatewayKey.Generate();

        await rig.PublishAsync(rig.Topic("receipt"), Encoding.UTF8.GetBytes($$"""{"lane":"telemetry","epoch":"{{epoch}}","seq":{{Seq}}}"""));
        await rig.PublishAsync(rig.Topic("receipt"), Receipt.Sign("gw-it", "telemetry", epoch, Seq, HashAt(Seq), forger).ToPayload());
        await rig.PublishAsync(rig.Topic("receipt"), Receipt.Sign("gw-it", "telemetry", epoch, Seq, HashAt(Seq - 1), ingest).ToPayload());
        await Wait.UntilAsync(async () => await rig.MetricAsync("edgetwin_rejected", "what=\"receipt\"") >= 3, Wait60, () => "three receipts rejected\n" + rig.Output());

        // Nothing at or below Seq left: the outbox still holds (about) every record since genesis.
        var (_, head, stored) = await rig.LaneAsync("telemetry");
        Assert.True(stored > head - Seq, $"outbox holds {stored} of head {head}: the rejected receipts deleted records");
        Assert.Equal(0, await rig.MetricAsync("edgetwin_uplink_receipts"));
        Assert.Equal(1, await rig.MetricAsync("edgetwin_rejected", "problem=\"hash-mismatch\",what=\"receipt\""));

        await rig.PublishAsync(rig.Topic("receipt"), Receipt.Sign("gw-it", "telemetry", epoch, Seq, HashAt(Seq), ingest).ToPayload());
        await Wait.UntilAsync(async () => (await rig.LaneAsync("telemetry")) is var l && l.Stored <= l.Head - Seq, Wait60, () => "records 0..200 deleted\n" + rig.Output());
        Assert.Equal(1, await rig.MetricAsync("edgetwin_uplink_receipts"));
    }

    [Fact]
    public async Task Qos0Receipt_EvenOneTheIngestKeySigned_IsDroppedAndCounted_DeletesNothing_TheSameAtQos1Does()
    {
        using var rig = new ResendRig();
        await using var capture = await Capture.StartAsync(rig.Broker.Port);
        const long Seq = 200;
        var (epoch, hashAt) = await CapturedThroughAsync(rig, capture, Seq);
        var hash = hashAt(Seq);
        using var ingest = GatewayKey.LoadFromFile(rig.IngestKeyFile);
        var receipt = Receipt.Sign("gw-it", "telemetry", epoch, Seq, hash, ingest).ToPayload();

        // QoS 0 is not the protocol (PROTOCOL §2) and no receive window bounds it: dropped unread, however genuine.
        await rig.PublishAsync(rig.Topic("receipt"), receipt, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce);
        await Wait.UntilAsync(async () => await rig.MetricAsync("edgetwin_rejected", "problem=\"qos0\",what=\"inbound\"") >= 1 && rig.Output().Contains("Dropped a QoS 0 message on", StringComparison.Ordinal),
            Wait60, () => "the QoS 0 receipt dropped, counted and logged\n" + rig.Output());
        var (_, head, stored) = await rig.LaneAsync("telemetry");
        Assert.True(stored > head - Seq, $"outbox holds {stored} of head {head}: the QoS 0 receipt deleted records");
        Assert.Equal(0, await rig.MetricAsync("edgetwin_uplink_receipts"));

        await rig.PublishAsync(rig.Topic("receipt"), receipt);
        await Wait.UntilAsync(async () => (await rig.LaneAsync("telemetry")) is var l && l.Stored <= l.Head - Seq, Wait60, () => "records 0..200 deleted\n" + rig.Output());
        Assert.Equal(1, await rig.MetricAsync("edgetwin_uplink_receipts"));
        Assert.Equal(1, await rig.MetricAsync("edgetwin_rejected", "problem=\"qos0\",what=\"inbound\""));
    }

    /// <summary>
    /// Starts the gateway (no re-send timer) and waits until it wrote past <paramref name="seq"/> and the
    /// capture holds it: the telemetry epoch, and the hash of a captured seq.
    /// </summary>
    private async Task<(string Epoch, Func<long, string> HashAt)> CapturedThroughAsync(ResendRig rig, Capture capture, long seq)
    {
        rig.StartGateway("--Uplink:ResendAfter=01:00:00");
        var (epoch, _, _) = await WhenWrittenAsync(rig, seq + 50);
        await Wait.UntilAsync(() => capture.HighestSeq("telemetry") >= seq, Wait60, $"seq {seq} captured");
        return (epoch, at => Convert.ToHexStringLower(SHA256.HashData(capture.Records("telemetry")
            .First(p => JsonDocument.Parse(p).RootElement.GetProperty("seq").GetInt64() == at))));
    }

    private async Task CatchUpAsync(ResendRig rig, string[] gatewayArgs, string[] ingestArgs, string mechanism)
    {
        rig.StartGateway(gatewayArgs);
        var (epoch, _, _) = await WhenWrittenAsync(rig, 800);
        var epochs = await EpochsAsync(rig);
        var atStart = await HeadsAsync(rig);
        var heldAtStart = (await rig.LaneAsync("telemetry")).Stored;
        var clock = Stopwatch.StartNew();
        rig.StartIngest(ingestArgs);

        await Wait.UntilAsync(
            async () => (await Task.WhenAll(Lanes.Select(async l => await rig.VerifiedThroughAsync(l, epochs[l]) >= atStart[l] - 1))).All(ok => ok),
            CatchUp,
            () => $"both lanes verified from genesis through the heads at the ingest's start ({atStart["telemetry"]}, {atStart["alarm"]})\n" + rig.Output());
        var caughtUp = clock.Elapsed;
        var identity = await rig.IdentityAsync();
        Assert.Equal(rig.IngestAddress, (string)identity!["address"]!);

        // Everything at or below the ingest's last receipt leaves the outbox.
        long receipted = -1;
        await Wait.UntilAsync(
            async () =>
            {
                receipted = (long)(await rig.ChainAsync("telemetry", epoch))!["receiptedThrough"]!;
                var (_, head, stored) = await rig.LaneAsync("telemetry");
                return receipted >= atStart["telemetry"] && stored <= head - receipted;
            },
            Wait60,
            () => $"the outbox to hold nothing at or below receipt {receipted}\n" + rig.Output());
        var held = (await rig.LaneAsync("telemetry")).Stored;
        Assert.True(held < heldAtStart, $"outbox {held} records, {heldAtStart} when the ingest started");

        var resent = await rig.MetricAsync("edgetwin_uplink_resent");
        output.WriteLine($"[{mechanism}] ingest started at telemetry head {atStart["telemetry"]} (alarm {atStart["alarm"]}), {heldAtStart} held; caught up in {caughtUp.TotalSeconds:F1} s; re-sent {resent} records; outbox {held} after");
        Assert.True(resent > 0, "records were re-sent");
    }

    private static async Task<(string Epoch, long Head, long Stored)> WhenWrittenAsync(ResendRig rig, long records)
    {
        (string Epoch, long Head, long Stored) lane = default;
        await Wait.UntilAsync(
            async () => await rig.StatusAsync() is { } s && (bool)s["connected"]! && (lane = await rig.LaneAsync("telemetry")).Head >= records,
            Wait60 * 2,
            () => $"{records} telemetry records written\n" + rig.Output());
        return lane;
    }

    private static async Task<Dictionary<string, string>> EpochsAsync(ResendRig rig)
    {
        await Wait.UntilAsync(async () => await rig.StatusAsync() is not null, Wait60, () => "gateway status\n" + rig.Output());
        var result = new Dictionary<string, string>();
        foreach (var l in Lanes)
        {
            result[l] = (await rig.LaneAsync(l)).Epoch;
        }

        return result;
    }

    private static async Task<Dictionary<string, long>> HeadsAsync(ResendRig rig)
    {
        var result = new Dictionary<string, long>();
        foreach (var l in Lanes)
        {
            result[l] = (await rig.LaneAsync(l)).Head;
        }

        return result;
    }

    /// <summary>Every record up to <paramref name="heads"/> verifies; then, after a graceful stop, every record but each lane's closing checkpoint, nothing missing.</summary>
    private async Task AllVerifiedAfterAGracefulStopAsync(ResendRig rig, Dictionary<string, string> epochs, Dictionary<string, long> heads)
    {
        // Records published while the ingest was still starting (after heads were read) are lost too:
        // nothing may be missing any more before the gateway stops, or nothing would re-send them.
        var clock = Stopwatch.StartNew();
        await Wait.UntilAsync(
            async () => (await Task.WhenAll(Lanes.Select(async l => await rig.ChainAsync(l, epochs[l]) is { } c
                && (long)c["verifiedThrough"]! >= heads[l] - 1 && (long)c["missing"]! == 0))).All(ok => ok),
            CatchUp,
            () => $"both lanes verified through {heads["telemetry"]}/{heads["alarm"]}, nothing missing\n" + rig.Output());
        output.WriteLine($"caught up in {clock.Elapsed.TotalSeconds:F1} s; re-sent {await rig.MetricAsync("edgetwin_uplink_resent")} records");

        rig.Gateway!.Terminate();
        Assert.True(rig.Gateway.WaitForExit(TimeSpan.FromSeconds(60)), "gateway stops on SIGTERM");
        Assert.Equal(0, rig.Gateway.ExitCode);
        foreach (var l in Lanes)
        {
            await Wait.UntilAsync(
                async () => await rig.ChainAsync(l, epochs[l]) is { } c && (long)c["verifiedThrough"]! >= heads[l] - 1
                    && (long)c["missing"]! == 0 && (long)c["pending"]! == 1,
                Wait60,
                () => $"{l}: everything but the closing checkpoint verified, nothing missing\n" + rig.Output());
            var chain = (await rig.ChainAsync(l, epochs[l]))!;
            Assert.Equal((long)chain["received"]! - 1, (long)chain["verified"]!);
            Assert.Equal((0L, 0L, 0L, 0L), ((long)chain["forks"]!, (long)chain["brokenLinks"]!, (long)chain["badSigs"]!, (long)chain["gapCovered"]!));
        }
    }
}
