namespace EdgeTwin.Gateway.Tests.Storage;

using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;
using LiteDB;

public class StoreEncryptionTests
{
    private static readonly byte[] Marker = "PLAINTEXT-MARKER-4711"u8.ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CommittedButNotCheckpointed_LogAndDataHoldNoPlaintext_OnlyWhenEncrypted(bool encrypted)
    {
        using var temp = new TempDirectory();
        var (data, log) = (temp.Sub("s.db"), temp.Sub("s-log.db"));
        using (var dataStream = Shared(data))
        using (var logStream = Shared(log))
        using (var db = StoreEncryption.OpenDatabase(dataStream, logStream, encrypted ? TestStorageKey.Outbox : null, readOnly: false))
        {
            db.GetCollection("c").Insert(new BsonDocument { ["v"] = System.Text.Encoding.ASCII.GetString(Marker) });

            // The commit is in the log only (LiteDB checkpoints later): that file must not show it either.
            Assert.True(new FileInfo(log).Length > 8192);
            Assert.Equal(!encrypted, Holds(log));
            Assert.Equal(!encrypted, Holds(log) || Holds(data));
        }
    }

    [Fact]
    public void Encrypt_PlainStoreWithAnUncheckpointedLog_CopiesEveryDocumentAndIndex()
    {
        using var temp = new TempDirectory();
        var (data, log) = (temp.Sub("s.db"), temp.Sub("s-log.db"));
        using (var dataStream = Shared(data))
        using (var logStream = Shared(log))
        using (var db = StoreEncryption.OpenDatabase(dataStream, logStream, password: null, readOnly: false))
        {
            var c = db.GetCollection("c", BsonAutoId.Int64);
            c.EnsureIndex("v", "$.v", unique: true);
            for (var i = 0; i < 3; i++)
            {
                c.Insert(new BsonDocument { ["_id"] = 10L + i, ["v"] = "value-" + i });
            }

            db.Checkpoint();
            c.Insert(new BsonDocument { ["_id"] = 13L, ["v"] = "only-in-the-log" });

            // A crash now: the last document is committed in the log, not in the data file.
            File.Copy(data, temp.Sub("c.db"));
            File.Copy(log, temp.Sub("c-log.db"));
        }

        var copied = StoreEncryption.Encrypt(temp.Sub("c.db"), temp.Sub("c-log.db"), TestStorageKey.Outbox, SyncedOutboxFiles.Instance);

        Assert.Equal(4, copied);
        Assert.False(File.Exists(temp.Sub("c-log.db")));
        using var encryptedData = Shared(temp.Sub("c.db"));
        using var encryptedLog = Shared(temp.Sub("c-log.db"));
        using var reopened = StoreEncryption.OpenDatabase(encryptedData, encryptedLog, TestStorageKey.Outbox, readOnly: false);
        var collection = reopened.GetCollection("c");
        Assert.Equal([10L, 11L, 12L, 13L], collection.FindAll().Select(d => d["_id"].AsInt64));
        Assert.Equal("only-in-the-log", collection.FindById(13L)["v"].AsString);
        Assert.Contains(reopened.GetCollection("$indexes").FindAll(), i => i["name"].AsString == "v" && i["unique"].AsBoolean);
        Assert.Throws<LiteException>(() => collection.Insert(new BsonDocument { ["_id"] = 14L, ["v"] = "value-0" }));
    }

    [Fact]
    public void IsPlain_TellsPlainFromEncryptedFromMissing()
    {
        using var temp = new TempDirectory();
        using (var plain = Shared(temp.Sub("p.db")))
        using (var plainDb = StoreEncryption.OpenDatabase(plain, new MemoryStream(), null, readOnly: false))
        using (var enc = Shared(temp.Sub("e.db")))
        using (var encDb = StoreEncryption.OpenDatabase(enc, new MemoryStream(), TestStorageKey.Outbox, readOnly: false))
        {
            plainDb.GetCollection("c").Insert(new BsonDocument { ["v"] = 1 });
            encDb.GetCollection("c").Insert(new BsonDocument { ["v"] = 1 });
        }

        File.WriteAllBytes(temp.Sub("empty.db"), []);
        Assert.True(StoreEncryption.IsPlain(temp.Sub("p.db")));
        Assert.False(StoreEncryption.IsPlain(temp.Sub("e.db")));
        Assert.False(StoreEncryption.IsPlain(temp.Sub("empty.db")));
        Assert.False(StoreEncryption.IsPlain(temp.Sub("missing.db")));
    }

    private static FileStream Shared(string path) => new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);

    private static bool Holds(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes.AsSpan().IndexOf(Marker) >= 0;
    }
}
