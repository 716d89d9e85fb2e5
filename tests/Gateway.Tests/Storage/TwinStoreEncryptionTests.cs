namespace EdgeTwin.Gateway.Tests.Storage;

using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Gateway.Tests.Twin;
using EdgeTwin.Gateway.Twin.Model;
using EdgeTwin.Gateway.Twin.Persistence;
using EdgeTwin.Outbox.Encryption;

public sealed class TwinStoreEncryptionTests : IDisposable
{
    // Device serial numbers are in every snapshot the fixture's twin takes.
    private static readonly byte[] Marker = "SN-mon-1"u8.ToArray();

    private readonly TwinFixture _f = new();
    private readonly TempDirectory _temp = new();

    private string StorePath => _temp.Sub("twin.db");

    [Fact]
    public void Save_NeitherFileHoldsPlaintext_WhereAPlainStoreDoes_AndReopensWithTheKey()
    {
        var snapshot = _f.Twin.Snapshot();
        using (var plain = TwinStore.OpenPlain(_temp.Sub("plain.db")))
        {
            plain.Save(snapshot, []);
        }

        using (var store = TwinStore.Open(StorePath, TestStorageKey.Key))
        {
            store.Save(snapshot, [new TwinEvent("consent-changed", new JsonObject { ["note"] = "SN-mon-1" })]);
        }

        Assert.True(Holds(_temp.Sub("plain.db")));
        Assert.False(Holds(StorePath));
        Assert.False(Holds(StorePath + "-log"));
        using var reopened = TwinStore.Open(StorePath, TestStorageKey.Key);
        Assert.Null(reopened.EncryptedDocuments);
        Assert.Equal(Json(snapshot), Json(reopened.Load()!));
        Assert.Equal("consent-changed", Assert.Single(reopened.PendingEvents()).Event.Type);
    }

    [Fact]
    public void Open_PlainStore_IsEncryptedWithSnapshotAndPendingEvents_AndRecordsAnEvent()
    {
        var snapshot = _f.Twin.Snapshot();
        using (var plain = TwinStore.OpenPlain(StorePath))
        {
            plain.Save(snapshot, [new TwinEvent("patient-admitted", new JsonObject { ["device"] = "mon-1" })]);
        }

        using (var store = TwinStore.Open(StorePath, TestStorageKey.Key))
        {
            Assert.Equal(2, store.EncryptedDocuments);
            Assert.Equal(Json(snapshot), Json(store.Load()!));
            var events = store.PendingEvents().Select(e => e.Event).ToList();
            Assert.Equal(["patient-admitted", "store-encrypted"], events.Select(e => e.Type));
            Assert.Equal("""{"file":"twin.db","documents":2}""", events[1].Fields.ToJsonString());
        }

        Assert.False(Holds(StorePath));
        Assert.False(StoreEncryption.IsPlain(StorePath));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*" + StoreEncryption.NewSuffix));
    }

    [Fact]
    public void Open_WrongKey_RefusesNamingTheKeyFile_AndLeavesTheFilesAsTheyWere()
    {
        using (var store = TwinStore.Open(StorePath, TestStorageKey.Key))
        {
            store.Save(_f.Twin.Snapshot(), []);
        }

        var before = Directory.GetFiles(_temp.Path).ToDictionary(f => f, File.ReadAllBytes);

        var error = Assert.Throws<StartupException>(() => TwinStore.Open(StorePath, TestStorageKey.Other));

        Assert.Equal("Gateway:StorageKeyFile", error.Setting);
        Assert.Contains(TestStorageKey.Other.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains(StorePath, error.Message, StringComparison.Ordinal);
        Assert.Equal(before.Keys.Order(), Directory.GetFiles(_temp.Path).Order());
        foreach (var (file, bytes) in before)
        {
            Assert.Equal(bytes, File.ReadAllBytes(file));
        }

        using var reopened = TwinStore.Open(StorePath, TestStorageKey.Key); // the refused open released the files
        Assert.NotNull(reopened.Load());
    }

    public void Dispose()
    {
        _f.Dispose();
        _temp.Dispose();
    }

    private static string Json(TwinSnapshot snapshot) => JsonSerializer.Serialize(snapshot, TwinJson.Options);

    /// <summary>Whether the file shows the marker; a missing or empty file fails the test rather than passing it as "no plaintext".</summary>
    private static bool Holds(string path)
    {
        Assert.True(File.Exists(path) && new FileInfo(path).Length > 0, $"{path} must exist and hold data for its bytes to prove anything");
        return File.ReadAllBytes(path).AsSpan().IndexOf(Marker) >= 0;
    }
}
