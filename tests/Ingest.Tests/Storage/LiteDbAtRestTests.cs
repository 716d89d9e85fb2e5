namespace EdgeTwin.Ingest.Tests.Storage;

using System.Text;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Storage.LiteDb;
using EdgeTwin.Ingest.Tests.Integration;
using EdgeTwin.Outbox.Encryption;

/// <summary>
/// The ingest's LiteDB store at rest (issue 14): encrypted with the storage key, so a known plaintext
/// is nowhere in its files; every key and store file the ingest creates is 0600; an older plain
/// store is encrypted in place at open; another key is refused, the store left as it was.
/// </summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LiteDbAtRestTests(MosquittoFixture broker) : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string Secret = "p-known-plaintext-pseudonym";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-atrest-").FullName;

    [Fact]
    public async Task IngestHost_CreatesEveryKeyAndStoreFile0600_AndTheStoreHoldsNoPlaintext()
    {
        await using (var ingest = await InProcessIngest.StartAsync(broker.Uri, [$"--Ingest:Storage=litedb:{_dir}/store", $"--Ingest:KeyFile={_dir}/store/ingest.key"]))
        {
            await WriteSecretAsync(ingest.Store);
        }

        var files = Directory.GetFiles(Path.Combine(_dir, "store")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["auth.key", "ingest-log.db", "ingest.db", "ingest.key", "storage.key"], files);
        Assert.All(files, f => Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(_dir, "store", f!))));
        AssertNoPlaintext(Path.Combine(_dir, "store"));
    }

    [Fact]
    public async Task PlainStoreOfAnOlderIngest_IsEncryptedAtOpen_AndAnotherKeyIsRefused_LeavingItAsItWas()
    {
        // An older ingest wrote a plain store, world-readable.
        using (var plain = new LiteDB.LiteDatabase(Path.Combine(_dir, LiteDbIngestStore.DataFileName)))
        {
            plain.GetCollection("records").Insert(new LiteDB.BsonDocument { ["_id"] = "x", ["patient"] = Secret });
        }

        File.SetUnixFileMode(Path.Combine(_dir, LiteDbIngestStore.DataFileName), OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using (var store = new LiteDbIngestStore(_dir))
        {
            await store.InitializeAsync(default);
            Assert.Equal(Secret, store.Db.GetCollection("records").FindById("x")["patient"].AsString);
        }

        Assert.False(StoreEncryption.IsPlain(Path.Combine(_dir, LiteDbIngestStore.DataFileName)));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(_dir, LiteDbIngestStore.DataFileName)));
        AssertNoPlaintext(_dir);

        var before = await File.ReadAllBytesAsync(Path.Combine(_dir, LiteDbIngestStore.DataFileName));
        await using var wrong = new LiteDbIngestStore(_dir, StorageKey.FromBytes(Path.Combine(_dir, "other.key"), new byte[32]));
        var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => wrong.InitializeAsync(default));
        Assert.Contains("encrypted with another key", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(Path.Combine(_dir, LiteDbIngestStore.DataFileName)));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task WriteSecretAsync(IIngestStore store)
    {
        var chain = new ChainId("gw-1", "telemetry", new string('a', 32));
        return store.WriteAsync([chain], "site", s => s.TryInsertRecordAsync(
            new RecordRow(chain, 0, "h0", "obs", "site", DateTimeOffset.UnixEpoch, Secret, "loinc:8867-4", Encoding.UTF8.GetBytes($"{{\"patient\":\"{Secret}\"}}"), DateTimeOffset.UnixEpoch)), default);
    }

    private static void AssertNoPlaintext(string directory)
    {
        foreach (var file in Directory.GetFiles(directory, "*.db"))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Secret)) < 0, $"'{Secret}' in {file}");
        }
    }
}
