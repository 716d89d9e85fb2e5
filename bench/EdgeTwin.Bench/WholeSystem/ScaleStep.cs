namespace EdgeTwin.Bench.WholeSystem;

using System.Globalization;

/// <summary>
/// One reading of the running system: the gateway's counters (<c>/metrics</c>, <c>/status</c>) and the
/// CPU seconds of each process so far.
/// </summary>
internal sealed record SystemReading(
    long AtMs, double Samples, double Published, double Backlog, double Held, long ChainedThrough, long VerifiedThrough,
    double Gateway, double Broker, double Ingest, double Worker, double Postgres, double Bench);

/// <summary>
/// One step of <c>whole-system-scale</c>: rates over the window (samples verified: the obs records
/// stored in PostgreSQL whose seqs the chain's verified-through passed during it; "tap saw": the
/// share of the window's chained records the subscriber on the broker had received when the row was made), per-sample latencies (from each
/// sample's own time: to its record's arrival at a subscriber on the cloud broker, and to the
/// ingest's verified-through passing its seq), CPU per process (% of one core) and the gateway's RSS.
/// </summary>
internal sealed record ScaleRow(
    int Beds, double Seconds, double ProducedPerSecond, double PublishedRecordsPerSecond, double AtBrokerPerSecond, double VerifiedPerSecond, double Tapped,
    LatencyHistogram ToBroker, LatencyHistogram ToVerified, long NotVerified, SystemReading Before, SystemReading After, double GatewayRssMiB, TimeSpan? Lag)
{
    /// <summary>Samples a bed makes a second: ECG 250 Hz, pleth 100 Hz, eight vitals at 1 Hz.</summary>
    public const int SamplesPerBedSecond = 358;

    private double Cpu(Func<SystemReading, double> process) => 100 * (process(After) - process(Before)) / Seconds;

    /// <summary>Telemetry records the gateway chained a second over the window.</summary>
    public double ChainedRecordsPerSecond => (After.ChainedThrough - Before.ChainedThrough) / Seconds;

    /// <summary>The gateway keeps up: it produced at least 98 % of the beds' samples and its uplink backlog did not grow by more than a second of records.</summary>
    public bool GatewayKeepsUp => ProducedPerSecond >= 0.98 * Beds * SamplesPerBedSecond && After.Backlog - Before.Backlog <= ChainedRecordsPerSecond;

    public static string Header =>
        "| beds | nominal samples/s | produced samples/s | chained / PUBACKed records/s | samples/s at the broker (tap saw) | samples/s verified | sample->broker p50 / p99 | sample->verified p50 / p99 | not verified within 120 s | CPU gateway | mosquitto | ingest 1 + 2 | PostgreSQL | bench | gateway RSS | backlog start -> end | held start -> end | gateway keeps up | ingest lag at the end |\n" +
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"| {Beds} | {Beds * SamplesPerBedSecond:N0} | {ProducedPerSecond:N0} | {ChainedRecordsPerSecond:N0} / {PublishedRecordsPerSecond:N0} | {AtBrokerPerSecond:N0} ({100 * Tapped:F0} %) | {VerifiedPerSecond:N0} | " +
        $"{ToBroker.Percentile(0.5):N0} / {ToBroker.Percentile(0.99):N0} ms | {ToVerified.Percentile(0.5):N0} / {ToVerified.Percentile(0.99):N0} ms | {NotVerified:N0} | " +
        $"{Cpu(r => r.Gateway):F0} % | {Cpu(r => r.Broker):F0} % | {Cpu(r => r.Ingest):F0} + {Cpu(r => r.Worker):F0} % | {Cpu(r => r.Postgres):F0} % | {Cpu(r => r.Bench):F0} % | {GatewayRssMiB:F0} MiB | " +
        $"{Before.Backlog:N0} -> {After.Backlog:N0} | {Before.Held:N0} -> {After.Held:N0} | {(GatewayKeepsUp ? "yes" : "no")} | {(Lag is { } l ? $"{l.TotalSeconds:F1} s" : "over 120 s")} |");
}

/// <summary>The bench's subscriber over one window: samples that arrived in it, the share of the window's records it has, sample -> broker latency.</summary>
internal sealed record TapReading(long AtBrokerSamples, double Tapped, LatencyHistogram ToBroker);

/// <summary>
/// One "alone" step of <c>whole-system-scale</c>: the gateway with the box to itself but for its
/// broker and the bench's subscriber (both ingest workers stopped, their sessions queuing at the
/// broker), then the workers alone verifying what the window left: <see cref="Records"/> records in
/// <see cref="DrainSeconds"/> (null: not within 5 min), with their and PostgreSQL's CPU over that time
/// (fractions of one core, the workers' start included); then the gateway restarted with 16 beds until it
/// holds fewer than 1,000 records awaiting a receipt (<see cref="SettleSeconds"/>, null: not within 120 s)
/// and the records it published again meanwhile (<see cref="Resent"/>).
/// </summary>
internal sealed record AloneRow(
    int Beds, int? InFlight, double Seconds, SystemReading Before, SystemReading After, TapReading Tap, double GatewayRssMiB,
    long Records, double? DrainSeconds, double IngestCpu, double WorkerCpu, double PostgresCpu, double? SettleSeconds, double Resent)
{
    private double Cpu(Func<SystemReading, double> process) => 100 * (process(After) - process(Before)) / Seconds;

    private double ChainedRecordsPerSecond => (After.ChainedThrough - Before.ChainedThrough) / Seconds;

    private double ProducedPerSecond => (After.Samples - Before.Samples) / Seconds;

    /// <summary>As <see cref="ScaleRow.GatewayKeepsUp"/>: at least 98 % of the beds' samples, the backlog grown by less than a second of records.</summary>
    private bool GatewayKeepsUp => ProducedPerSecond >= 0.98 * Beds * ScaleRow.SamplesPerBedSecond && After.Backlog - Before.Backlog <= ChainedRecordsPerSecond;

    public static string Header =>
        "| beds (ingest stopped) | nominal samples/s | produced samples/s | chained / PUBACKed records/s | samples/s at the broker (tap saw) | sample->broker p50 / p99 | CPU gateway | mosquitto | bench | gateway RSS | backlog start -> end | gateway keeps up | then 2 workers verified | in | records/s | CPU ingest 1 + 2 | PostgreSQL | gateway restarted: settled in | re-sent |\n" +
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"| {Beds}{(InFlight is { } f ? $", MaxInFlight={f}" : string.Empty)} | {Beds * ScaleRow.SamplesPerBedSecond:N0} | {ProducedPerSecond:N0} | {ChainedRecordsPerSecond:N0} / {(After.Published - Before.Published) / Seconds:N0} | " +
        $"{Tap.AtBrokerSamples / Seconds:N0} ({100 * Tap.Tapped:F0} %) | {Tap.ToBroker.Percentile(0.5):N0} / {Tap.ToBroker.Percentile(0.99):N0} ms | " +
        $"{Cpu(r => r.Gateway):F0} % | {Cpu(r => r.Broker):F0} % | {Cpu(r => r.Bench):F0} % | {GatewayRssMiB:F0} MiB | {Before.Backlog:N0} -> {After.Backlog:N0} | {(GatewayKeepsUp ? "yes" : "no")} | " +
        $"{Records:N0} records | {(DrainSeconds is { } d ? $"{d:F1} s" : "not within 5 min")} | {(DrainSeconds is { } s ? $"{Records / s:N0}" : "-")} | {100 * IngestCpu:F0} + {100 * WorkerCpu:F0} % | {100 * PostgresCpu:F0} % | " +
        $"{(SettleSeconds is { } t ? $"{t:F1} s" : "not within 120 s")} | {Resent:N0} |");
}
