namespace EdgeTwin.Integration.Tests.Gateway;

using EdgeTwin.Gateway.Storage;
using EdgeTwin.Integration.Tests.Support;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;

/// <summary>
/// The marker a created outbox leaves beside it (<c>outbox.created</c>: a later start without the store
/// says store-lost, not first start) must itself survive a power cut, on the power-cut disk
/// (Support/PowerCutDisk.cs: only what was fsynced survives).
/// </summary>
public sealed class OutboxMarkerPowerCutTests
{
    [Fact]
    public async Task OutboxCreated_ThenPowerCut_TheMarkerSurvives_ALostStoreThenSaysStoreLost()
    {
        using var disk = PowerCutDisk.Mount();
        var data = disk.Path;
        var key = StorageKey.Open(Path.Combine(data, "storage.key"), generateWhenMissing: true);
        var first = OutboxOpener.OpenForGateway(data, SyncedOutboxFiles.Instance, key, TimeProvider.System);
        Assert.False(first.Lost);
        first.Store.Dispose();

        await disk.CutPowerAsync();

        Assert.True(File.Exists(Path.Combine(data, OutboxOpener.MarkerFileName)), $"{OutboxOpener.MarkerFileName} is gone after the power cut\n{disk.Tail()}");
        File.Delete(Path.Combine(data, OutboxStore.DataFileName)); // the store lost (a card failing, an operator's rm)
        File.Delete(Path.Combine(data, OutboxStore.LogFileName));
        var second = OutboxOpener.OpenForGateway(data, SyncedOutboxFiles.Instance, StorageKey.Open(key.Path, generateWhenMissing: false), TimeProvider.System);
        second.Store.Dispose();
        Assert.True(second.Lost, "a store created here and gone is lost, not a first start");
    }
}
