namespace EdgeTwin.Integration.Tests.EndToEnd;

using System.Text;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Telemetry.Durability;
using EdgeTwin.Telemetry.Signing;

/// <summary>
/// The power-cut disk (Support/PowerCutDisk.cs, powercut_fs.py) against its real mount, before the
/// whole-system test trusts it: what was fsynced survives a cut, what was written after the last
/// fsync is lost (content and size revert), a file never synced is gone, a temp file renamed before
/// its fsync gives the target its (absent) synced image, a frozen fsync never becomes durable.
/// </summary>
public sealed class PowerCutDiskTests
{
    private static readonly byte[] Synced = Encoding.ASCII.GetBytes(new string('s', 10_000));

    [Fact]
    public async Task WrittenAndFsynced_SurvivesACut()
    {
        using var disk = PowerCutDisk.Mount();
        var file = Path.Combine(disk.Path, "data");
        WriteAndSync(file, Synced);

        await disk.CutPowerAsync();

        Assert.Equal(Synced, File.ReadAllBytes(file));
        Assert.Contains($"fsync /data: {Synced.Length} bytes in 1 ranges, size {Synced.Length}, image created", disk.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrittenAfterTheLastFsync_IsLost_ContentAndSizeRevert()
    {
        using var disk = PowerCutDisk.Mount();
        var file = Path.Combine(disk.Path, "data");
        WriteAndSync(file, Synced);
        using (var stream = Open(file))
        {
            stream.Position = 100;
            stream.Write("overwritten"u8); // inside the synced image
            stream.Position = Synced.Length;
            stream.Write(new byte[5000]); // past its end
        }

        Assert.Equal(Synced.Length + 5000, new FileInfo(file).Length); // the processes saw the writes

        await disk.CutPowerAsync();

        Assert.Equal(Synced, File.ReadAllBytes(file));
    }

    [Fact]
    public async Task TruncatedAfterTheLastFsync_ComesBackWhole()
    {
        using var disk = PowerCutDisk.Mount();
        var file = Path.Combine(disk.Path, "data");
        WriteAndSync(file, Synced);
        File.WriteAllText(file, "short"); // truncates and rewrites, no fsync

        await disk.CutPowerAsync();

        Assert.Equal(Synced, File.ReadAllBytes(file));
    }

    [Fact]
    public async Task NeverSyncedFile_IsAbsentAfterACut_ASyncedOneBesideItStays()
    {
        using var disk = PowerCutDisk.Mount();
        var never = Path.Combine(disk.Path, "never-synced");
        var synced = Path.Combine(disk.Path, "synced");
        File.WriteAllBytes(never, Synced);
        WriteAndSync(synced, Synced);
        Assert.True(File.Exists(never));

        await disk.CutPowerAsync();

        Assert.False(File.Exists(never), "a file never fsynced is absent after the cut");
        Assert.Equal(Synced, File.ReadAllBytes(synced));
    }

    [Fact]
    public async Task TempRenamedOverATargetBeforeItsFsync_TheTargetIsAbsentAfterACut()
    {
        using var disk = PowerCutDisk.Mount();
        var target = Path.Combine(disk.Path, "state.json");
        WriteAndSync(target, Synced);
        var temp = target + ".new";
        File.WriteAllText(temp, "new content, never synced");
        File.Move(temp, target, overwrite: true);

        await disk.CutPowerAsync();

        Assert.False(File.Exists(target), "the rename took the target's old image with it; the temp never had one");
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public async Task TempFsyncedThenRenamed_TheTargetHasTheNewContentAfterACut_WritesAfterTheRenameLost()
    {
        using var disk = PowerCutDisk.Mount();
        var target = Path.Combine(disk.Path, "state.json");
        WriteAndSync(target, "old"u8.ToArray());
        var temp = target + ".new";
        WriteAndSync(temp, Synced);
        File.Move(temp, target, overwrite: true);
        File.AppendAllText(target, "appended after the rename, never synced");

        await disk.CutPowerAsync();

        Assert.Equal(Synced, File.ReadAllBytes(target));
    }

    [Fact]
    public async Task GatewayKeySavedToTheDisk_SurvivesACut_WithItsMode()
    {
        // The product's own key writer (temp, fsync, link into place without overwriting).
        using var disk = PowerCutDisk.Mount();
        var path = Path.Combine(disk.Path, "gateway.key");
        using var key = GatewayKey.Generate();
        key.SaveToFile(path);

        await disk.CutPowerAsync();

        using var loaded = GatewayKey.LoadFromFile(path);
        Assert.Equal(key.Address, loaded.Address);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("gateway.key", Path.GetFileName(Assert.Single(Directory.GetFileSystemEntries(disk.Path)))); // no temp file left
    }

    [Fact]
    public async Task FsyncFrozenByTheTest_IsNotDurable_TheCallFails_AndTheCutKeepsTheLastSyncedImage()
    {
        using var disk = PowerCutDisk.Mount();
        var file = Path.Combine(disk.Path, "outbox-log.db");
        WriteAndSync(file, Synced);
        disk.FreezeAtNextFsyncOf("outbox-log.db");
        var syncing = Task.Run(() =>
        {
            using var stream = Open(file);
            stream.Position = Synced.Length;
            stream.Write("the commit that never finished"u8);
            FileSync.Flush(stream); // not Flush(true): .NET returns from a failed fsync as if it had worked (FailedFsyncTests)
        });
        await disk.FrozenAsync(TimeSpan.FromSeconds(30), () => "the freeze catching the fsync");
        Assert.False(syncing.IsCompleted, "the fsync waits while frozen");

        await disk.CutPowerAsync();

        var failure = await Record.ExceptionAsync(() => syncing);
        Assert.True(failure is IOException, $"the frozen fsync fails when the power goes (got {failure?.ToString() ?? "success"})\n{disk.Tail()}");
        Assert.Equal(Synced, File.ReadAllBytes(file));
        Assert.Contains("frozen in the fsync of /outbox-log.db", disk.Log, StringComparison.Ordinal);
    }

    private static FileStream Open(string path) => new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);

    private static void WriteAndSync(string path, byte[] bytes)
    {
        using var stream = Open(path);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
