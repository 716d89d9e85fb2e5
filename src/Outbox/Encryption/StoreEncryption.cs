namespace EdgeTwin.Outbox.Encryption;

using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Durability;
using LiteDB;
using LiteDB.Engine;

/// <summary>
/// Encrypts a LiteDB store written before encryption at rest (a data file and its log) in place,
/// crash-safe at every step: (1) the plain log is checkpointed into the plain data file, which then
/// holds everything, and the log is deleted; (2) every document and index is copied into a new
/// encrypted file beside it (<see cref="NewSuffix"/>), checkpointed and fsync'd; (3) one rename puts
/// it in place of the plain file. Each step is made durable (directory fsync) before the next, so
/// a restart after a crash anywhere finds the complete plain store (and perhaps an unfinished copy,
/// discarded and redone) or the complete encrypted one. The plain file's blocks are unlinked, not
/// overwritten (docs/operations.md).
/// </summary>
public static class StoreEncryption
{
    public const string NewSuffix = ".encrypting";

    /// <summary>Steps after which <see cref="Encrypt"/> reports (tests simulate a crash there).</summary>
    public static readonly string[] Steps = ["log-merged", "copied", "swapped"];

    /// <summary>
    /// LiteDB's own test (its AesStream): an encrypted data file starts with the byte 1, a plain one
    /// with its header page's id, 0. An absent or empty file is neither.
    /// </summary>
    public static bool IsPlain(string dataPath)
    {
        var info = new FileInfo(dataPath);
        if (!info.Exists || info.Length == 0)
        {
            return false;
        }

        using var stream = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return stream.ReadByte() != 1;
    }

    /// <summary>A wrong password, as LiteDB reports it (a damaged key check page looks the same).</summary>
    public static bool IsWrongKey(Exception ex) => ex is LiteException { ErrorCode: LiteException.INVALID_PASSWORD };

    /// <summary>LiteDB over caller-supplied streams; <paramref name="password"/> null opens a plain store.</summary>
    public static LiteDatabase OpenDatabase(Stream data, Stream log, string? password, bool readOnly) =>
        new(new FinalizerSafeLiteEngine(new EngineSettings { DataStream = data, LogStream = log, Password = password, AutoRebuild = false, ReadOnly = readOnly }), null, true);

    /// <summary>Removes what an interrupted <see cref="Encrypt"/> left beside the store.</summary>
    public static void DiscardUnfinished(string dataPath, string logPath)
    {
        File.Delete(dataPath + NewSuffix);
        File.Delete(logPath + NewSuffix);
    }

    /// <summary>
    /// <see cref="Encrypt"/> at start-up: a failure (no space for the copy, a plain store LiteDB
    /// cannot copy) leaves the plain store as it was: <see cref="StoreEncryptionException"/>, saying so.
    /// </summary>
    public static long EncryptAtStartup(string dataPath, string logPath, string password, IOutboxFiles files)
    {
        try
        {
            return Encrypt(dataPath, logPath, password, files);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or LiteException or InvalidDataException)
        {
            throw new StoreEncryptionException(
                $"the plain store '{dataPath}' could not be encrypted ({ex.Message}); it is left as it was (the unfinished copy beside it is discarded at the next start). The copy needs as much free space again as the store.", ex);
        }
    }

    /// <summary>Encrypts the plain store; returns how many documents were copied.</summary>
    public static long Encrypt(string dataPath, string logPath, string password, IOutboxFiles files, Action<string>? afterStep = null) =>
        Rewrite(dataPath, logPath, fromPassword: null, password, files, afterStep);

    /// <summary>
    /// Re-encrypts a store from <paramref name="fromPassword"/> to <paramref name="toPassword"/> (a storage
    /// key rotation), by the same crash-safe steps as <see cref="Encrypt"/>; returns how many documents were copied.
    /// </summary>
    public static long Rekey(string dataPath, string logPath, string fromPassword, string toPassword, IOutboxFiles files, Action<string>? afterStep = null) =>
        Rewrite(dataPath, logPath, fromPassword, toPassword, files, afterStep);

    /// <summary>Whether the store opens with <paramref name="password"/> (false: another key); the store is only read.</summary>
    public static bool OpensWith(string dataPath, string logPath, string password)
    {
        using var data = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var log = File.Exists(logPath) ? new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite) : (Stream)new MemoryStream();
        try
        {
            using var db = OpenDatabase(data, log, password, readOnly: true);
            _ = db.GetCollectionNames().ToList();
            return true;
        }
        catch (LiteException ex) when (IsWrongKey(ex))
        {
            return false;
        }
    }

    private static long Rewrite(string dataPath, string logPath, string? fromPassword, string toPassword, IOutboxFiles files, Action<string>? afterStep)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataPath))!;
        var newData = dataPath + NewSuffix;
        var newLog = logPath + NewSuffix;
        DiscardUnfinished(dataPath, logPath);

        using (var data = files.Open(dataPath))
        using (var log = files.Open(logPath))
        using (var db = OpenDatabase(data, log, fromPassword, readOnly: false))
        {
            db.Checkpoint(); // the log's committed pages into the data file, fsync'd (SyncedFileStream)
        }

        File.Delete(logPath);
        DirectorySync.Flush(directory);
        afterStep?.Invoke(Steps[0]);

        long copied;
        using (var data = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read))
        using (var noLog = new MemoryStream())
        using (var source = OpenDatabase(data, noLog, fromPassword, readOnly: true))
        using (var targetData = files.Open(newData))
        using (var targetLog = files.Open(newLog))
        using (var target = OpenDatabase(targetData, targetLog, toPassword, readOnly: false))
        {
            copied = Copy(source, target);
            target.Checkpoint();
        }

        File.Delete(newLog); // checkpointed: everything is in the data file
        DirectorySync.Flush(directory);
        afterStep?.Invoke(Steps[1]);

        File.Move(newData, dataPath, overwrite: true);
        DirectorySync.Flush(directory);
        afterStep?.Invoke(Steps[2]);
        return copied;
    }

    private static long Copy(LiteDatabase source, LiteDatabase target)
    {
        long copied = 0;
        foreach (var name in source.GetCollectionNames().ToList())
        {
            var from = source.GetCollection(name);
            var to = target.GetCollection(name);
            copied += to.InsertBulk(from.FindAll()); // documents keep their _id
            foreach (var index in source.GetCollection("$indexes").Find(LiteDbQuery.Eq("collection", name)).ToList())
            {
                if (index["name"].AsString != "_id")
                {
                    to.EnsureIndex(index["name"].AsString, BsonExpression.Create(index["expression"].AsString), index["unique"].AsBoolean);
                }
            }

            if (to.LongCount() != from.LongCount())
            {
                throw new InvalidDataException($"collection '{name}': {to.LongCount()} documents copied of {from.LongCount()}");
            }
        }

        return copied;
    }
}
