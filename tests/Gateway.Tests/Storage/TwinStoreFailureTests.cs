namespace EdgeTwin.Gateway.Tests.Storage;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Gateway.Tests.Twin;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Gateway.Twin.Persistence;
using EdgeTwin.Outbox.Durability;

/// <summary>
/// The twin store when a write fails for another reason than a full disk (EIO from a failing card):
/// the save fails saying so and changes nothing, and the next save works. The store used to close and
/// reopen only after ENOSPC; after any other failure LiteDB's half-written transaction stayed open and
/// every later save failed until a restart.
/// </summary>
public sealed class TwinStoreFailureTests : IDisposable
{
    private const int Eio = 5;
    private readonly TwinFixture _f = new();
    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        _f.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void ASaveFailingWithAnIoError_ChangesNothing_AndTheNextSaveIsKept_AlsoAfterAReopen()
    {
        var files = new FullDiskFiles { Errno = Eio };
        var path = _temp.Sub("twin.db");
        var snapshot = _f.Twin.Snapshot();
        using (var store = TwinStore.Open(path, TestStorageKey.Key, null, p => (SyncedFileStream)files.Open(p)))
        {
            store.Save(snapshot, [Event("a")]);

            files.Full = true;
            var failed = Assert.Throws<IOException>(() => store.Save(snapshot, [Event("b")]));
            Assert.Equal(Eio, failed.HResult);
            Assert.False(StorageFaults.IsOutOfSpace(failed));
            files.Full = false;

            store.Save(snapshot, [Event("c")]);
            Assert.Equal(["a", "c"], store.PendingEvents().Select(e => e.Event.Fields["n"]!.GetValue<string>()));
        }

        using var reopened = TwinStore.Open(path, TestStorageKey.Key);
        Assert.Equal(["a", "c"], reopened.PendingEvents().Select(e => e.Event.Fields["n"]!.GetValue<string>()));
        Assert.NotNull(reopened.Load());
    }

    private static TwinEvent Event(string n) => new("consent-changed", new JsonObject { ["n"] = n });
}
