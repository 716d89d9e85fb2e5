namespace EdgeTwin.Gateway.Tests.Storage;

using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Time.Testing;

/// <summary>Issue 14: the storage key rotated, every store re-encrypted, crash-safe and resumable.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class StorageKeyRotationTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 12, 5, 6, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Rotate_TheOutboxOpensWithTheNewKeyOnly_EveryRecordKept_OldKeyRetiredBesideIt()
    {
        using var temp = new TempDirectory();
        var keyPath = Path.Combine(temp.Path, "storage.key");
        var oldKey = StorageKey.Open(keyPath, generateWhenMissing: true);
        Write(temp.Path, oldKey, 40);

        var (retired, stores) = StorageKeyRotation.Rotate(keyPath, StorageKeyRotation.KnownStores(temp.Path), SyncedOutboxFiles.Instance, Time);

        var outcome = Assert.Single(stores); // no twin or ingest store in this directory
        Assert.Equal(("outbox", false), (outcome.Store.Name, outcome.AlreadyRotated));
        Assert.True(outcome.Documents >= 40);
        var newKey = StorageKey.Open(keyPath, generateWhenMissing: false);
        Assert.NotEqual(oldKey.PasswordFor("outbox"), newKey.PasswordFor("outbox"));
        Assert.Equal(oldKey.PasswordFor("outbox"), StorageKey.Load(retired).PasswordFor("outbox"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(retired));
        Assert.Throws<WrongStorageKeyException>(() => OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, oldKey.PasswordFor("outbox")).Dispose());
        using var reopened = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, newKey.PasswordFor("outbox"));
        Assert.Equal(39, reopened.Heads[Lane.Telemetry].Seq);
        Assert.Equal(40, reopened.Read(Lane.Telemetry, 0, 1_000, 1_000).Count);
    }

    [Theory]
    [InlineData("next-key")]
    [InlineData("store:outbox")]
    [InlineData("retired")]
    public void InterruptedAt_NothingOpensTheStores_UntilTheRotationIsRunAgain_ThenAllIsThere(string crashAfter)
    {
        using var temp = new TempDirectory();
        var keyPath = Path.Combine(temp.Path, "storage.key");
        Write(temp.Path, StorageKey.Open(keyPath, generateWhenMissing: true), 25);

        Assert.Throws<SimulatedCrash>(() => StorageKeyRotation.Rotate(keyPath, StorageKeyRotation.KnownStores(temp.Path), SyncedOutboxFiles.Instance, Time,
            step => { if (step == crashAfter) throw new SimulatedCrash(); }));

        var refused = Assert.Throws<SecretFileException>(() => StorageKey.Open(keyPath, generateWhenMissing: true));
        Assert.Contains("was interrupted", refused.Message, StringComparison.Ordinal);
        Assert.Contains("edgetwin storage-key", refused.Message, StringComparison.Ordinal);

        var (_, stores) = StorageKeyRotation.Rotate(keyPath, StorageKeyRotation.KnownStores(temp.Path), SyncedOutboxFiles.Instance, Time);
        Assert.Equal(crashAfter != "next-key", Assert.Single(stores).AlreadyRotated);
        Assert.False(File.Exists(keyPath + StorageKeyRotation.NextSuffix));
        using var reopened = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, StorageKey.Open(keyPath, generateWhenMissing: false).PasswordFor("outbox"));
        Assert.Equal(25, reopened.Read(Lane.Telemetry, 0, 1_000, 1_000).Count);
    }

    [Fact]
    public void StoreInUse_IsRefused_AndLeftUnderTheOldKey()
    {
        using var temp = new TempDirectory();
        var keyPath = Path.Combine(temp.Path, "storage.key");
        var oldKey = StorageKey.Open(keyPath, generateWhenMissing: true);
        Write(temp.Path, oldKey, 5);
        using (var running = OutboxStore.Open(temp.Path, SyncedOutboxFiles.Instance, oldKey.PasswordFor("outbox")))
        {
            var ex = Assert.Throws<IOException>(() => StorageKeyRotation.Rotate(keyPath, StorageKeyRotation.KnownStores(temp.Path), SyncedOutboxFiles.Instance, Time));
            Assert.Contains("is in use: stop the service", ex.Message, StringComparison.Ordinal);
        }

        Assert.True(StoreEncryption.OpensWith(Path.Combine(temp.Path, OutboxStore.DataFileName), Path.Combine(temp.Path, OutboxStore.LogFileName), oldKey.PasswordFor("outbox")));
    }

    [Fact]
    public void StoreUnderNeitherKey_IsRefusedNamingBothFiles_AndLeftAsItWas()
    {
        using var temp = new TempDirectory();
        var keyPath = Path.Combine(temp.Path, "storage.key");
        Write(temp.Path, StorageKey.FromBytes("other", new byte[32]), 5);
        StorageKey.Open(keyPath, generateWhenMissing: true);
        var before = File.ReadAllBytes(Path.Combine(temp.Path, OutboxStore.DataFileName));

        var ex = Assert.Throws<InvalidDataException>(() => StorageKeyRotation.Rotate(keyPath, StorageKeyRotation.KnownStores(temp.Path), SyncedOutboxFiles.Instance, Time));

        Assert.Contains("opens with neither", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(temp.Path, OutboxStore.DataFileName)));
    }

    private static void Write(string directory, StorageKey key, int records)
    {
        using var store = OutboxStore.Open(directory, SyncedOutboxFiles.Instance, key.PasswordFor("outbox"));
        store.Commit(new TestRecords(Lane.Telemetry).Batch(records));
    }

    private sealed class SimulatedCrash : Exception;
}
