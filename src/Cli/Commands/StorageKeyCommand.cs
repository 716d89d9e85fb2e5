namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Outbox.Encryption;

/// <summary>
/// <c>storage-key DATA_DIR [--key FILE]</c>: rotates the storage key of a stopped gateway (outbox,
/// twin store) or ingest (its LiteDB store): a new key, every store re-encrypted under it, the old key
/// kept beside it as <c>.retired-&lt;UTC&gt;</c> (<see cref="StorageKeyRotation"/>). Crash-safe and
/// resumable: run it again after an interruption. Exit 0 when rotated, 2 when not (nothing lost).
/// </summary>
internal static class StorageKeyCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var data = new Argument<DirectoryInfo>("DATA_DIR") { Description = "the stopped service's data directory (Gateway:DataDirectory, or the ingest's litedb: directory)" };
        var key = new Option<FileInfo>("--key") { Description = "storage key file (default: DATA_DIR/storage.key)" };
        var command = new Command("storage-key", "rotate the storage key of a stopped gateway or ingest: a new key, every store re-encrypted under it") { data, key };
        command.SetAction(parse =>
        {
            var directory = parse.GetRequiredValue(data).FullName;
            var keyPath = parse.GetValue(key)?.FullName ?? Path.Combine(directory, "storage.key");
            try
            {
                var (retired, stores) = StorageKeyRotation.Rotate(keyPath, StorageKeyRotation.KnownStores(directory), SyncedOutboxFiles.Instance, time);
                foreach (var s in stores)
                {
                    stdout.WriteLine(s.AlreadyRotated
                        ? $"{Path.GetFileName(s.Store.DataPath)}: already under the new key"
                        : $"{Path.GetFileName(s.Store.DataPath)}: re-encrypted, {s.Documents} documents");
                }

                stdout.WriteLine($"new storage key in {keyPath}: back it up now; the old one is kept in {retired} (delete it once the new key is backed up)");
                return CliApp.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecretFileException or InvalidDataException or LiteDB.LiteException)
            {
                stderr.WriteLine($"edgetwin storage-key: {e.Message}");
                stderr.WriteLine("edgetwin storage-key: not finished; nothing is lost: run it again (stores already under the new key are left alone)");
                return CliApp.Usage;
            }
        });
        return command;
    }
}
