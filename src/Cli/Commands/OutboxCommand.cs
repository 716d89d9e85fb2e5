namespace EdgeTwin.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Encryption;
using EdgeTwin.Telemetry.Capture;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;

/// <summary>
/// <c>outbox DATA_DIR [--key FILE] [--export CAPTURE.jsonl]</c>: what a stopped gateway still holds
/// (per lane: epoch, head, records and bytes stored, oldest seq, and the obs records and samples the
/// chain holds, counted at each commit), read-only with its storage key;
/// <c>--export</c> writes the stored records as a capture file that <c>edgetwin verify</c> reads.
/// Exit 0 on success, 2 on bad input (no store, wrong key, gateway still running).
/// </summary>
internal static class OutboxCommand
{
    private const int Page = 10_000;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var data = new Argument<DirectoryInfo>("DATA_DIR") { Description = "the gateway's data directory (Gateway:DataDirectory)" };
        var key = new Option<FileInfo>("--key") { Description = "storage key file (default: DATA_DIR/storage.key)" };
        var export = new Option<FileInfo>("--export") { Description = "write the stored records to this capture file (one {\"topic\":..,\"b64\":..} per line)" };
        var command = new Command("outbox", "inspect a stopped gateway's outbox (read-only)") { data, key, export };
        command.SetAction(parse =>
        {
            var directory = parse.GetRequiredValue(data).FullName;
            var keyPath = parse.GetValue(key)?.FullName ?? Path.Combine(directory, "storage.key");
            try
            {
                var password = StorageKey.Load(keyPath).PasswordFor("outbox");
                using var store = OutboxStore.OpenReadOnly(directory, password);
                var heads = store.Heads;
                foreach (var lane in new[] { Lane.Telemetry, Lane.Alarm })
                {
                    var usage = store.Usage(lane);
                    var line = heads.TryGetValue(lane, out var head)
                        ? $"{WireNames.Of(lane)}: epoch {head.Epoch} head seq {head.Seq}; stored {usage.Records} records, {usage.Bytes} bytes, oldest seq {(store.MinSeq(lane) is { } min ? min.ToString(CultureInfo.InvariantCulture) : "none")}; {Chained(store.Counts(lane))}"
                        : $"{WireNames.Of(lane)}: no chain yet";
                    stdout.WriteLine(line);
                }

                if (parse.GetValue(export) is { } file)
                {
                    var written = Export(store, heads, file.FullName);
                    stdout.WriteLine($"exported {written} records to {file.FullName}");
                }

                return CliApp.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutboxCorruptException or WrongStorageKeyException or SecretFileException)
            {
                var hint = e is IOException && e is not FileNotFoundException && File.Exists(Path.Combine(directory, OutboxStore.DataFileName))
                    ? " (is the gateway still running? stop it first: the outbox is locked while it runs)"
                    : "";
                stderr.WriteLine($"edgetwin outbox: {e.Message}{hint}");
                return CliApp.Usage;
            }
        });
        return command;
    }

    /// <summary>What the lane's chain holds, counted at each commit (<see cref="LaneCounts"/>).</summary>
    private static string Chained(LaneCounts? counts) => counts is { } c
        ? string.Create(CultureInfo.InvariantCulture, $"chained seq {c.FromSeq}..{c.ThroughSeq}: {c.ObsRecords} obs records, {c.Samples} samples")
        : "chained: not counted";

    private static long Export(OutboxStore store, IReadOnlyDictionary<Lane, EdgeTwin.Telemetry.Chain.ChainState> heads, string path)
    {
        long written = 0;
        using var writer = File.CreateText(path);
        foreach (var (lane, head) in heads.OrderBy(h => h.Key))
        {
            var from = store.MinSeq(lane) ?? head.Seq + 1;
            while (from <= head.Seq)
            {
                var page = store.Read(lane, from, head.Seq, Page);
                if (page.Count == 0)
                {
                    break;
                }

                foreach (var record in page)
                {
                    CaptureFile.Write(writer, "outbox/" + WireNames.Of(lane), record.Payload);
                    written++;
                }

                from = page[^1].Seq + 1;
            }
        }

        return written;
    }
}
