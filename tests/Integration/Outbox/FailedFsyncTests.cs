namespace EdgeTwin.Integration.Tests.Outbox;

using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Durability;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// An fsync that fails (the power-cut disk's EIO, as a failing card gives) must fail the write that
/// needed it: .NET's own <c>FileStream.Flush(true)</c> returns as if it had worked, so the outbox's
/// streams sync through <see cref="FileSync"/>, and a commit whose fsync failed is neither counted nor
/// durable.
/// </summary>
public sealed class FailedFsyncTests
{
    [Fact]
    public void DotNetFlushTrue_WhenTheFsyncFails_ReturnsAsIfItWorked_WhichIsWhyFileSyncExists()
    {
        // The runtime's behaviour (.NET 10.0.12) this code works around; when this fails, .NET reports fsync failures and FileSync may go.
        using var disk = PowerCutDisk.Mount();
        var file = Path.Combine(disk.Path, "data");
        disk.FailFsyncsOf("data");
        using var stream = new FileStream(file, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        stream.Write("x"u8);

        stream.Flush(flushToDisk: true);

        Assert.Contains("fsync of /data failed on purpose", disk.Log, StringComparison.Ordinal);
        Assert.Throws<IOException>(() => FileSync.Flush(stream));
    }

    [Fact]
    public void GatewayKeySave_WhenItsFsyncFails_Throws_AndLeavesNoKeyFile()
    {
        // Before, SaveToFile flushed with Flush(true): the failed fsync went unnoticed, the key file was
        // renamed into place, and a power cut could then leave the gateway without the key it enrolled.
        using var disk = PowerCutDisk.Mount();
        var path = Path.Combine(disk.Path, "gateway.key");
        disk.FailFsyncsOf($"gateway.key.new-{Environment.ProcessId}");
        using var key = GatewayKey.Generate();

        var failure = Assert.Throws<IOException>(() => key.SaveToFile(path));

        Assert.Contains("Input/output error", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(disk.Path, "gateway.key*"));
    }

    [Fact]
    public void SyncedFileStream_WhenTheFsyncFails_FlushThrows()
    {
        using var disk = PowerCutDisk.Mount();
        using var stream = new SyncedFileStream(Path.Combine(disk.Path, OutboxStore.LogFileName));
        stream.Write(new byte[8192]);
        disk.FailFsyncsOf(OutboxStore.LogFileName);

        var failure = Assert.Throws<IOException>(() => stream.Flush());

        Assert.Contains("Input/output error", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.DiskFlushes);
    }

    [Fact]
    public async Task OutboxCommit_WhenItsFsyncsFail_Throws_CountsNothing_AndACutKeepsTheLastGoodCommit()
    {
        using var disk = PowerCutDisk.Mount();
        var records = new TestRecords(Lane.Telemetry);
        var store = OutboxStore.Open(disk.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        try
        {
            store.Commit(records.Batch(5));
            disk.FailFsyncsOf(OutboxStore.LogFileName, OutboxStore.DataFileName);

            // Before FileSync the commit returned: the gateway would have published seqs 5..9, and after
            // a power cut chained other records under them (a fork at the ingest).
            Assert.ThrowsAny<Exception>(() => store.Commit(records.Batch(5)));

            Assert.Equal(4, store.Counts(Lane.Telemetry)!.Value.ThroughSeq); // /status says what is durable, not the failed commit
        }
        finally
        {
            StorageFaults.Quietly(store.Dispose); // its own checkpoint's fsyncs fail too: the disk is still failing
            disk.StopFailingFsyncs();
        }

        await disk.CutPowerAsync();

        using var reopened = OutboxStore.Open(disk.Path, SyncedOutboxFiles.Instance, TestStorageKey.Outbox);
        Assert.Equal(4, reopened.Heads[Lane.Telemetry].Seq);
    }
}
