namespace EdgeTwin.Gateway.Diagnostics;

using System.Diagnostics;
using System.Diagnostics.Metrics;
using EdgeTwin.Inference.Alarms;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;
using OpenTelemetry.Metrics;

/// <summary>
/// The gateway's instruments (OpenTelemetry-style names, units given). Every drop, rejection and
/// eviction has a counter here as well as a log line and, where it concerns data, an event record.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "EdgeTwin.Gateway";

    /// <summary>
    /// Tag combinations each of this meter's instruments keeps apart on <c>/metrics</c>. The most any
    /// has is tens (<c>edgetwin.rejected</c>: what x problem; <c>edgetwin.outbox.records</c>: 2 lanes x
    /// 7 kinds). OpenTelemetry allocates every instrument's points up front for its default of 2,000:
    /// 24 instruments x 184 KB, 4.4 MB of the 9.7 MB live heap at 16 beds (issue 15, docs/benchmarks.md
    /// "The live managed heap"). A combination beyond the limit is still counted, in the series
    /// labelled <c>otel_metric_overflow="true"</c>: totals stay whole.
    /// </summary>
    public const int SeriesPerInstrument = 100;

    private readonly Counter<long> _samples;
    private readonly Counter<long> _records;
    private readonly Counter<long> _commits;
    private readonly Histogram<double> _commitDuration;
    private readonly Counter<long> _evicted;
    private readonly Counter<long> _published;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _connects;
    private readonly Counter<long> _receipts;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _liveLatency;
    private readonly Counter<long> _clockJumps;
    private readonly Counter<long> _resent;
    private readonly Counter<long> _storageFull;
    private readonly Counter<long> _notKept;
    private readonly Counter<long> _samplesNotKept;
    private readonly Counter<long> _alarmsRaised;
    private readonly Counter<long> _alarmStatuses;
    private long _receiveStalls;
    private readonly Counter<long> _probes;
    private readonly Histogram<double> _probeRoundTrip;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _samples = Meter.CreateCounter<long>("edgetwin.pipeline.samples", "{sample}", "Samples received from drivers");
        _records = Meter.CreateCounter<long>("edgetwin.outbox.records", "{record}", "Records appended to a chain");
        _commits = Meter.CreateCounter<long>("edgetwin.outbox.commits", "{commit}", "Group commits that reached the disk");
        _commitDuration = Meter.CreateHistogram<double>("edgetwin.outbox.commit.duration", "s", "Time of one durable group commit", advice: EdgeTwin.Hosting.LatencyBuckets.Seconds);
        _evicted = Meter.CreateCounter<long>("edgetwin.outbox.evicted", "{record}", "Records dropped under quota pressure (stated in gap records)");
        _published = Meter.CreateCounter<long>("edgetwin.uplink.published", "{record}", "Records acknowledged by the broker (PUBACK)");
        _publishFailures = Meter.CreateCounter<long>("edgetwin.uplink.publish.failures", "{publish}", "Publishes that failed or missed their deadline");
        _connects = Meter.CreateCounter<long>("edgetwin.uplink.connects", "{connection}", "Successful broker connections");
        _receipts = Meter.CreateCounter<long>("edgetwin.uplink.receipts", "{receipt}", "Receipts accepted from the cloud");
        _rejected = Meter.CreateCounter<long>("edgetwin.rejected", "{item}", "Inputs rejected (receipts, samples, commands)");
        _clockJumps = Meter.CreateCounter<long>("edgetwin.clock.jumps", "{jump}", "Wall-clock jumps recorded as clock-jump events");
        _resent = Meter.CreateCounter<long>("edgetwin.uplink.resent", "{record}", "Records published again: no receipt covered them in time, or the ingest asked");
        _storageFull = Meter.CreateCounter<long>("edgetwin.outbox.storage_full", "{episode}", "Times the outbox could not commit for lack of space");
        _notKept = Meter.CreateCounter<long>("edgetwin.outbox.not_kept", "{record}", "Observation records not kept while the disk was full (stated in storage-full events)");
        _samplesNotKept = Meter.CreateCounter<long>("edgetwin.outbox.samples_not_kept", "{sample}", "Samples in observation records not kept while the disk was full");
        _liveLatency = Meter.CreateHistogram<double>("edgetwin.uplink.live.latency", "s", "Commit to PUBACK time of live records", advice: EdgeTwin.Hosting.LatencyBuckets.Seconds);
        _alarmsRaised = Meter.CreateCounter<long>("edgetwin.alarms.raised", "{alarm}", "Alarms raised (clinical and technical), by priority");
        _alarmStatuses = Meter.CreateCounter<long>("edgetwin.alarms.statuses", "{status}", "Alarm managers' answers (signed alarm-status documents) shown, by status");
        // Observed, so /metrics shows it from the start (0), before the first stall.
        Meter.CreateObservableCounter("edgetwin.uplink.receive.stalls", () => Interlocked.Read(ref _receiveStalls), "{stall}", "Broker connections taken for stalled (a probe out, nothing received for Uplink:ReceiveStallAfter) and made again");
        _probes = Meter.CreateCounter<long>("edgetwin.uplink.receive.probes", "{probe}", "The uplink's receive-path probes, by outcome (returned; unmatched: anything else on its topic, ignored)");
        _probeRoundTrip = Meter.CreateHistogram<double>("edgetwin.uplink.receive.probe.duration", "s", "From a probe's publish to its return through the broker", advice: EdgeTwin.Hosting.LatencyBuckets.Seconds);
    }

    public Meter Meter { get; }

    /// <summary>The view that bounds this meter's instruments to <see cref="SeriesPerInstrument"/>; other meters keep the default.</summary>
    public static MetricStreamConfiguration? Streams(Instrument instrument) =>
        instrument.Meter.Name == MeterName ? new MetricStreamConfiguration { CardinalityLimit = SeriesPerInstrument } : null;

    public void Samples(int count) => _samples.Add(count);

    public void AlarmStatus(string status) => _alarmStatuses.Add(1, new KeyValuePair<string, object?>("status", status));

    public void Records(Lane lane, string kind, int count = 1) =>
        _records.Add(count, new TagList { { "lane", WireNames.Of(lane) }, { "kind", kind } });

    public void Committed(TimeSpan duration)
    {
        _commits.Add(1);
        _commitDuration.Record(duration.TotalSeconds);
    }

    public void Evicted(long records, string what) => _evicted.Add(records, new KeyValuePair<string, object?>("class", what));

    public void Published(Lane lane, bool live, bool resent = false)
    {
        _published.Add(1, new TagList { { "lane", WireNames.Of(lane) }, { "source", live ? "live" : resent ? "resend" : "backlog" } });
        if (resent)
        {
            _resent.Add(1, new KeyValuePair<string, object?>("lane", WireNames.Of(lane)));
        }
    }

    public void LiveLatency(TimeSpan latency) => _liveLatency.Record(latency.TotalSeconds);

    public void PublishFailed() => _publishFailures.Add(1);

    public void Connected() => _connects.Add(1);

    public void ReceiveStalled() => Interlocked.Increment(ref _receiveStalls);

    public void ProbeReturned(TimeSpan roundTrip)
    {
        _probes.Add(1, new KeyValuePair<string, object?>("outcome", "returned"));
        _probeRoundTrip.Record(roundTrip.TotalSeconds);
    }

    public void ProbeUnmatched() => _probes.Add(1, new KeyValuePair<string, object?>("outcome", "unmatched"));

    public void Receipt() => _receipts.Add(1);

    public void ClockJump(string direction) => _clockJumps.Add(1, new KeyValuePair<string, object?>("direction", direction));

    public void StorageFull(bool newEpisode)
    {
        if (newEpisode)
        {
            _storageFull.Add(1);
        }
    }

    public void NotKept(long records, long samples)
    {
        _notKept.Add(records);
        _samplesNotKept.Add(samples);
    }

    public void AlarmRaised(string priority) => _alarmsRaised.Add(1, new KeyValuePair<string, object?>("priority", priority));

    /// <summary>The alarms raised, latched or acknowledged now, by priority (every priority, 0 when none).</summary>
    public void ObserveActiveAlarms(Func<IReadOnlyList<ActiveAlarm>> active) =>
        Meter.CreateObservableGauge("edgetwin.alarms.active", () =>
        {
            var now = active();
            return Enum.GetValues<AlarmPriority>().Select(p => new Measurement<long>(
                now.Count(a => a.Priority == p), new KeyValuePair<string, object?>("priority", p.ToString().ToLowerInvariant())));
        }, "{alarm}", "Alarms active now (raised, latched or acknowledged), by priority");

    public void Rejected(string what) => _rejected.Add(1, new KeyValuePair<string, object?>("what", what));

    public void Rejected(string what, string problem) =>
        _rejected.Add(1, new TagList { { "what", what }, { "problem", problem } });
}
