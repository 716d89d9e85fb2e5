namespace EdgeTwin.Integration.Tests.Ingest;

using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Signing;
using Xunit.Abstractions;

/// <summary>
/// Issue 14, gateway key rotation in place, against real mosquitto, the real gateway process and the
/// real ingest process (enrolled with the old key only): the old key seals its chains and signs the
/// link to the new key, the new epochs verify under the new key, the sealed chains' backlog is still
/// delivered and verified to their last record, and the ingest follows the rotation with an alert.
/// </summary>
public sealed class GatewayKeyRotationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait90 = TimeSpan.FromSeconds(90);
    private static readonly string[] Lanes = ["telemetry", "alarm"];

    [Fact]
    public async Task KeyRotatedWithABacklog_OldChainsSealedDeliveredAndVerifiedToTheirLastRecord_NewEpochsVerifyUnderTheNewKey_IngestFollows()
    {
        using var rig = new ResendRig();
        rig.StartIngest();
        rig.StartGateway("--Uplink:ResendAfter=00:00:05");
        await Wait.UntilAsync(async () => await rig.StatusAsync() is not null, Wait90, () => "gateway status\n" + rig.Output());
        var old = new Dictionary<string, string>();
        foreach (var lane in Lanes)
        {
            old[lane] = (await rig.LaneAsync(lane)).Epoch;
        }

        await Wait.UntilAsync(async () => await rig.VerifiedThroughAsync("telemetry", old["telemetry"]) >= 50, Wait90, () => "50 telemetry records verified\n" + rig.Output());

        // The ingest goes away, so the old chains hold records nobody has when the key changes.
        rig.StopIngest();
        var atStop = (await rig.LaneAsync("telemetry")).Head;
        await Wait.UntilAsync(async () => (await rig.LaneAsync("telemetry")).Head >= atStop + 100, Wait90, () => "100 records written while the ingest is down");
        rig.Gateway!.Terminate();
        Assert.True(rig.Gateway.WaitForExit(TimeSpan.FromSeconds(60)), "gateway stops on SIGTERM");
        Assert.Equal(0, rig.Gateway.ExitCode);

        var (code, stdout, stderr) = await Tool.RunAsync("gateway-key", "rotate", rig.GatewayData, "--key", rig.GatewayKeyFile);
        Assert.True(code == 0, stderr);
        var newAddress = stdout.Split(' ', '\n').First(w => w.StartsWith("0x", StringComparison.Ordinal) && w != rig.GatewayAddress);
        Assert.Contains($"rotation prepared: {rig.GatewayAddress} -> {newAddress}", stdout, StringComparison.Ordinal);

        rig.StartGateway("--Uplink:ResendAfter=00:00:05");
        await Wait.UntilAsync(async () => await rig.StatusAsync() is not null, Wait90, () => "gateway status after the rotation\n" + rig.Output());
        using (var promoted = GatewayKey.LoadFromFile(rig.GatewayKeyFile))
        {
            Assert.Equal(newAddress, promoted.Address);
        }

        Assert.False(File.Exists(rig.GatewayKeyFile + ".next"), "the next key was promoted");
        var fresh = new Dictionary<string, string>();
        foreach (var lane in Lanes)
        {
            fresh[lane] = (await rig.LaneAsync(lane)).Epoch;
            Assert.NotEqual(old[lane], fresh[lane]);
        }

        Assert.True(await rig.MetricAsync("edgetwin_uplink_retired") > 0, "the sealed chains' backlog waits in the retired outbox");
        rig.StartIngest();

        // The sealed chains: every record, their closing checkpoints included (the rotation link covers
        // them), verified and receipted, so the retired outbox empties and goes away.
        foreach (var lane in Lanes)
        {
            await Wait.UntilAsync(
                async () => await rig.ChainAsync(lane, old[lane]) is { } c && (long)c["missing"]! == 0 && (long)c["pending"]! == 0
                    && (long)c["verifiedThrough"]! == (long)c["received"]! - 1 && (long)c["receiptedThrough"]! == (long)c["verifiedThrough"]!,
                Wait90,
                () => $"{lane}: the sealed chain verified and receipted to its last record\n{rig.ChainAsync(lane, old[lane]).Result}\n" + rig.Output());
            // A quiet ward's alarm lane holds its genesis and the checkpoint covering it: verified through 0.
            var through = lane == "telemetry" ? 10 : 0;
            await Wait.UntilAsync(async () => await rig.VerifiedThroughAsync(lane, fresh[lane]) >= through, Wait90, () => $"{lane}: the new epoch verifies through {through}\n" + rig.Output());
        }

        await Wait.UntilAsync(async () => await rig.MetricAsync("edgetwin_uplink_retired") == 0, Wait90, () => "retired outbox delivered\n" + rig.Output());
        // The outbox empties (the metric) when the receipted records are deleted; it is removed after
        // that, when the gateway next looks (RetiredChains.RemoveDelivered): wait for that, too.
        await Wait.UntilAsync(
            () => !(Directory.Exists(Path.Combine(rig.GatewayData, "retired")) && Directory.EnumerateFileSystemEntries(Path.Combine(rig.GatewayData, "retired")).Any()),
            Wait90, "the delivered retired outbox is removed");
        var telemetry = (await rig.ChainAsync("telemetry", fresh["telemetry"]))!;
        Assert.Equal("key-rotation", (string?)telemetry["genesisReason"]);
        Assert.Equal((0L, 0L, 0L), ((long)telemetry["forks"]!, (long)telemetry["badSigs"]!, (long)telemetry["brokenLinks"]!));

        var alerts = await rig.AlertsAsync();
        var rotated = alerts.Where(a => (string?)a!["kind"] == "key-rotated").Select(a => (string)a!["detail"]!).ToList();
        Assert.Equal(2, rotated.Count);
        Assert.All(rotated, d => Assert.Contains($"from {rig.GatewayAddress} to {newAddress}", d, StringComparison.Ordinal));
        var wrong = alerts.Where(a => (string?)a!["kind"] is "unenrolled-signer" or "key-cut-off" or "bad-key-rotation" or "fork").Select(a => a!.ToJsonString()).ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        output.WriteLine($"rotated {rig.GatewayAddress} -> {newAddress}; old telemetry {old["telemetry"]} verified through {(await rig.ChainAsync("telemetry", old["telemetry"]))!["verifiedThrough"]}");
    }
}
