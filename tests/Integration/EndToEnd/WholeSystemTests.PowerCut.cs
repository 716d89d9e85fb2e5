namespace EdgeTwin.Integration.Tests.EndToEnd;

using System.Diagnostics;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// Issue 15's power cut of the real gateway process: its data directory on a <see cref="PowerCutDisk"/>
/// (each file as of its last fsync survives, nothing written after it), its key generated there by its
/// first start. Four cuts, each the gateway SIGKILLed and the disk cut, then the gateway restarted on
/// what survived: while it publishes; with the uplink down and an unsent backlog; frozen inside a
/// commit (the outbox log's fsync never returns); frozen inside a checkpoint (the data file's fsync
/// never returns). Per cut: what the gateway had said it committed survived, the same epoch and key
/// came back, and the line of the other faults (produced from its durable counts after the restart,
/// verified once, lost 0). At the end: no fork (a record published before it was durable would come
/// back re-chained with other content under the same seq), the enrolled key throughout.
/// </summary>
public sealed partial class WholeSystemTests
{
    /// <summary>Records chained with the uplink down before that cut (about 35 a second with 4 beds: some 6 s).</summary>
    private const int BacklogRecords = 200;

    [Fact]
    public async Task GatewayPowerCutFourTimes_Publishing_UplinkDown_MidCommit_MidCheckpoint_WhatItCommittedSurvives_VerifiedOnce_NoFork_OneKey()
    {
        using var disk = PowerCutDisk.Mount();
        using var rig = new ResendRig(gatewayData: Path.Combine(disk.Path, "gateway"), gatewayMakesItsKey: true);
        var (ledger, _, second, start) = await StartSystemAsync(rig);
        await using var closing = ledger;
        try
        {
            List<Accounting> lines = [];
            var mark = start;

            // 1. While publishing: the ingest verifying as the gateway commits.
            mark = await CutAndAccountAsync(rig, disk, ledger, second, lines, mark, "power cut while publishing");

            // 2. The uplink down (broker stopped) until BacklogRecords more are chained and unsent; the gateway restarts with it still down.
            var down = (await ChainedAsync(rig))!.Value;
            rig.Broker.Stop();
            try
            {
                await Wait.UntilAsync(async () => (await ChainedAsync(rig))!.Value.ThroughSeq >= down.ThroughSeq + BacklogRecords, Recover,
                    () => $"{BacklogRecords} records chained with the uplink down\n" + Output(rig, second));
                Assert.True(await rig.VerifiedThroughAsync("telemetry", start.Epoch) < down.ThroughSeq + BacklogRecords, "the backlog is unsent when the power goes");
                mark = await CutAndAccountAsync(rig, disk, ledger, second, lines, mark, $"power cut with the uplink down ({BacklogRecords}+ records unsent)", rig.Broker.Start);
            }
            finally
            {
                if (rig.Broker.Id is null)
                {
                    rig.Broker.Start();
                }
            }

            // 3 and 4. Frozen inside a commit (the log's fsync), then inside a checkpoint (the data file's).
            foreach (var (file, what) in new[] { (OutboxStore.LogFileName, "a commit"), (OutboxStore.DataFileName, "a checkpoint") })
            {
                mark = await CutAndAccountAsync(rig, disk, ledger, second, lines, mark, $"power cut inside {what} (the fsync of {file} frozen)", frozenIn: file);
            }

            output.WriteLine($"power-cut disk: {disk.Cuts} cuts, {disk.Fsyncs} fsyncs served");
            Assert.Equal(4, disk.Cuts);
            await StopAndAssertExactAsync(rig, ledger, second, lines, start, mark);
        }
        finally
        {
            second.Dispose();
        }
    }

    /// <summary>
    /// One cut: (when <paramref name="frozenIn"/> names an outbox file, once the gateway's next fsync of
    /// it is caught and held) SIGKILL the gateway, cut the power, restart the gateway on what survived
    /// (then <paramref name="afterRestart"/>), wait until the ingest verified what it holds. Requires
    /// the counts the gateway reported as committed before the cut to have survived it, with the same
    /// epoch and the enrolled key on its disk. Adds the window's line; returns the new mark.
    /// </summary>
    private static async Task<LaneCounts> CutAndAccountAsync(
        ResendRig rig, PowerCutDisk disk, IngestLedger ledger, GatewayProcess second, List<Accounting> lines, LaneCounts mark, string what,
        Action? afterRestart = null, string? frozenIn = null)
    {
        var said = (await ChainedAsync(rig))!.Value; // committed, by the gateway's word, before the power goes
        if (frozenIn is not null)
        {
            disk.FreezeAtNextFsyncOf(frozenIn);
            await disk.FrozenAsync(Recover, () => $"the gateway's next fsync of {frozenIn}\n" + Output(rig, second));
        }

        var clock = Stopwatch.StartNew();
        rig.Gateway!.KillHard();
        await disk.CutPowerAsync(); // a frozen fsync fails here; the killed gateway finishes dying
        Assert.True(rig.Gateway.WaitForExit(TimeSpan.FromSeconds(10)), "the gateway dies on SIGKILL");
        rig.Gateway.Dispose();
        rig.StartGateway(GatewayArgs);
        var after = await Wait.ForAsync(() => ChainedAsync(rig), Recover, () => $"the gateway restarted after the {what}\n" + rig.Output() + "\npower-cut disk:\n" + disk.Tail());
        afterRestart?.Invoke();
        Assert.Equal(said.Epoch, after.Epoch); // the chain resumes; no new epoch
        Assert.True(after.ThroughSeq >= said.ThroughSeq, $"{what}: the gateway said it had committed through seq {said.ThroughSeq}; after the cut its outbox holds through {after.ThroughSeq}\n{disk.Tail()}");
        using (var key = GatewayKey.LoadFromFile(rig.GatewayKeyFile))
        {
            Assert.Equal(rig.GatewayAddress, key.Address); // the enrolled key came back, not a new one
        }

        Assert.True(File.Exists(Path.Combine(rig.GatewayData, OutboxOpener.MarkerFileName)), $"{what}: the outbox marker survived (a store lost later says store-lost)");

        await UntilVerifiedAsync(rig, after, () => Output(rig, second));
        lines.Add(await ledger.AccountAsync(what, mark, after, clock.Elapsed));
        return after;
    }
}
