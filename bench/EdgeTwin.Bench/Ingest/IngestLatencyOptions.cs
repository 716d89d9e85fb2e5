namespace EdgeTwin.Bench.Ingest;

using System.Globalization;

/// <summary>
/// <c>ingest-latency</c>'s arguments (docs/benchmarks.md, "Issue 13: publish -> verified latency"):
/// <c>--rate</c> obs records/s over all gateways, <c>--seconds</c> measured after <c>--warmup</c> seconds,
/// <c>--workers</c> ingest processes, <c>--batch</c> their <c>Ingest:BatchSize</c> and <c>--window</c> their <c>Ingest:ReceiveWindow</c> (not given: the
/// ingest's defaults), <c>--gateways</c>,
/// <c>--grace</c> seconds after the last publish for the last receipts, <c>--linger</c> ms a gateway holds
/// a record before publishing it (its commit tick; 0 publishes at the seal), <c>--connections</c> the
/// publisher's MQTT connections, <c>--checkpoint-records</c>/<c>--checkpoint-ms</c> the gateways'
/// checkpoint cadence (PROTOCOL §5 defaults 256 and 1,000), <c>--postgres</c> a connection string (none:
/// a scratch cluster).
/// </summary>
internal sealed record IngestLatencyOptions(
    double Rate, int Seconds, int Warmup, int Workers, int? Batch, int? Window, int Gateways, int Grace, int LingerMs, int Connections,
    int CheckpointRecords, int CheckpointMs, string? Postgres)
{
    public const string Usage =
        "usage: ingest-latency --rate 10000 --seconds 30 --workers 1 [--batch 1024] [--window 1536] [--gateways 20] [--warmup 10] [--grace 60] " +
        "[--linger 0] [--connections 4] [--checkpoint-records 256] [--checkpoint-ms 1000] [--postgres CONNECTION]";

    private static readonly string[] Known =
        ["--rate", "--seconds", "--warmup", "--workers", "--batch", "--window", "--gateways", "--grace", "--linger", "--connections", "--checkpoint-records", "--checkpoint-ms", "--postgres"];

    /// <summary>Obs records each gateway seals over warm-up, window and one more second of load (so the window's last records are verified under load too).</summary>
    public int ObsRecordsPerGateway => (int)Math.Ceiling(Rate * (Warmup + Seconds + 1) / Gateways);

    /// <summary>The arguments after the mode; a bad one throws <see cref="ArgumentException"/> naming it.</summary>
    public static IngestLatencyOptions Parse(string[] args)
    {
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!Known.Contains(args[i]))
            {
                throw new ArgumentException($"ingest-latency: unknown argument '{args[i]}'");
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"ingest-latency: {args[i]} needs a value");
            }
        }

        var options = new IngestLatencyOptions(
            Number(args, "--rate", 10_000), Int(args, "--seconds", 30), Int(args, "--warmup", 10), Int(args, "--workers", 1), BenchProgram.Value(args, "--batch") is null ? null : Int(args, "--batch", 0),
            BenchProgram.Value(args, "--window") is null ? null : Int(args, "--window", 0),
            Int(args, "--gateways", 20), Int(args, "--grace", 60), Int(args, "--linger", 0), Int(args, "--connections", 4),
            Int(args, "--checkpoint-records", 256), Int(args, "--checkpoint-ms", 1000), BenchProgram.Value(args, "--postgres"));
        Check(options.Rate is > 0 and <= 1_000_000, "--rate", options.Rate, "0 < rate <= 1,000,000 records/s");
        Check(options.Seconds is >= 1 and <= 3600, "--seconds", options.Seconds, "1-3,600");
        Check(options.Warmup is >= 0 and <= 600, "--warmup", options.Warmup, "0-600");
        Check(options.Workers is >= 1 and <= 16, "--workers", options.Workers, "1-16");
        Check(options.Batch is null or (>= 1 and <= 10_000), "--batch", options.Batch ?? 0, "1-10,000 (Ingest:BatchSize; not given: the ingest's default)");
        Check(options.Window is null or (>= 1 and <= 65_535), "--window", options.Window ?? 0, "1-65,535 (Ingest:ReceiveWindow; not given: the ingest's default)");
        Check(options.Window is null || options.Batch is null || options.Window >= options.Batch, "--window", options.Window ?? 0, "at least --batch");
        Check(options.Gateways is >= 1 and <= 5_000, "--gateways", options.Gateways, "1-5,000");
        Check(options.Grace is >= 1 and <= 3600, "--grace", options.Grace, "1-3,600");
        Check(options.LingerMs is >= 0 and <= 10_000, "--linger", options.LingerMs, "0-10,000 ms");
        Check(options.Connections is >= 1 and <= 64, "--connections", options.Connections, "1-64");
        Check(options.CheckpointRecords is >= 1 and <= 100_000, "--checkpoint-records", options.CheckpointRecords, "1-100,000");
        Check(options.CheckpointMs is >= 0 and <= 60_000, "--checkpoint-ms", options.CheckpointMs, "0-60,000");
        Check(options.ObsRecordsPerGateway <= 5_000_000, "--rate", options.Rate, "at most 5,000,000 records per gateway over the run: more --gateways or fewer --seconds");
        return options;
    }

    private static void Check(bool ok, string name, double value, string allowed)
    {
        if (!ok)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ingest-latency: {name} is {value}: it must be {allowed}"));
        }
    }

    private static int Int(string[] args, string name, int fallback) =>
        BenchProgram.Value(args, name) is not { } text ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ArgumentException($"ingest-latency: {name} is '{text}': not a whole number");

    private static double Number(string[] args, string name, double fallback) =>
        BenchProgram.Value(args, name) is not { } text ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value
        : throw new ArgumentException($"ingest-latency: {name} is '{text}': not a number");
}
