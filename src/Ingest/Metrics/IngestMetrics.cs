namespace EdgeTwin.Ingest.Metrics;

using System.Diagnostics.Metrics;
using EdgeTwin.Ingest.Processing;

/// <summary>Counters named like OpenTelemetry conventions.</summary>
internal sealed class IngestMetrics
{
    public const string MeterName = "EdgeTwin.Ingest";

    private readonly Counter<long> _records;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _receipts;
    private readonly Counter<long> _publishFailed;
    private readonly Counter<long> _evidence;
    private readonly Counter<long> _evidenceDropped;
    private readonly Counter<long> _resendRequests;
    private readonly Counter<long> _resendSeqs;
    private readonly Counter<long> _enrolmentReloads;
    private readonly Counter<long> _httpRefused;
    private readonly Counter<long> _retention;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Counter<long> _acksSkipped;
    private readonly Counter<long> _batchesFailed;
    private readonly Counter<long> _probes;
    private readonly Counter<long> _stalls;
    private readonly Counter<long> _linksRestored;
    private readonly Histogram<double> _probeRoundTrip;
    private readonly Meter _meter;

    public IngestMetrics(IMeterFactory factory)
    {
        var meter = _meter = factory.Create(MeterName);
        _records = meter.CreateCounter<long>("edgetwin.ingest.records", "{record}", "Records received, by outcome (stored, duplicate, evidence, bad-topic).");
        _alerts = meter.CreateCounter<long>("edgetwin.ingest.alerts", "{alert}", "Alerts raised, by kind.");
        _receipts = meter.CreateCounter<long>("edgetwin.ingest.receipts", "{receipt}", "Receipts published and acknowledged by the broker.");
        _publishFailed = meter.CreateCounter<long>("edgetwin.ingest.publish.failed", "{message}", "The worker's own publishes (receipt, resend, alarm-status) the broker did not acknowledge, by kind and reason (timeout, not-connected, failed, refused-<reason code>).");
        _resendRequests = meter.CreateCounter<long>("edgetwin.ingest.resend.requests", "{request}", "Signed re-send requests published to gateways.");
        _resendSeqs = meter.CreateCounter<long>("edgetwin.ingest.resend.requested", "{record}", "Seqs asked for in re-send requests.");
        _enrolmentReloads = meter.CreateCounter<long>("edgetwin.ingest.enrolment.reloads", "{reload}", "Changed enrolment files read, by outcome (applied, refused).");
        _evidence = meter.CreateCounter<long>("edgetwin.ingest.evidence", "{message}", "Records kept as rejected evidence, by the problem's code (the text before its first ':', or other).");
        _evidenceDropped = meter.CreateCounter<long>("edgetwin.ingest.evidence.dropped", "{message}", "Messages set aside but not kept as evidence: beyond Ingest:EvidencePerGatewayPerMinute or Ingest:EvidencePerMinute (someone publishing noise), by the problem's code.");
        _acksSkipped = meter.CreateCounter<long>("edgetwin.ingest.acks.skipped", "{message}", "Committed messages not acknowledged because the broker session they came in has ended (a clean start after the connection went): their packet ids belong to it.");
        _retention = meter.CreateCounter<long>("edgetwin.ingest.retention.partitions", "{partition}", "Records partitions older than Ingest:Retention, by outcome (dropped, kept: holds records not verified yet).");
        _inFlight = meter.CreateUpDownCounter<long>("edgetwin.ingest.inflight", "{message}", "Messages received from the broker and not yet acknowledged; at most the worker's MQTT Receive Maximum (Ingest:ReceiveWindow).");
        // On /metrics from the start (0), not only after the first message (an up-down counter shows once measured).
        _inFlight.Add(0);
        _batchesFailed = meter.CreateCounter<long>("edgetwin.ingest.batches.failed", "{batch}", "Store transactions of a batch that failed (nothing committed, nothing acknowledged; retried), by error: the exception's type (log 7005 has the message).");
        _probes = meter.CreateCounter<long>("edgetwin.ingest.receive.probes", "{probe}", "The worker's receive-path probes, by outcome (returned: its own probe back; unmatched: anything else on its topic, counted and ignored; overdue-window-full: out for Ingest:ReceiveStallAfter while the receive window was full, flow control, not a stall).");
        _stalls = meter.CreateCounter<long>("edgetwin.ingest.receive.stalls", "{stall}", "Connections taken for stalled and made again: a probe out, nothing received for Ingest:ReceiveStallAfter, room in the receive window (log 7019).");
        _probeRoundTrip = meter.CreateHistogram<double>("edgetwin.ingest.receive.probe.duration", "s", "From a probe's publish to its return through the broker: how long the worker's receive path takes.",
            advice: EdgeTwin.Hosting.LatencyBuckets.Seconds);
        _stalls.Add(0);
        _linksRestored = meter.CreateCounter<long>("edgetwin.ingest.links.restored", "{read}", "Chains whose remembered links, at rest in the store between batches, were read back for a record that needed them (a late repeat or fork, a late checkpoint, a gap statement from decided seqs): one store read each.");
        _httpRefused = meter.CreateCounter<long>("edgetwin.ingest.http.refused", "{request}", "HTTP requests refused by access control, by outcome (unauthenticated, forbidden).");
    }

    /// <summary>The worker's verifier cache: gateways held, and let go to make room (<c>Ingest:VerifierCacheGateways</c>).</summary>
    public void ObserveVerifierCache(Func<int> held, Func<long> evicted)
    {
        _meter.CreateObservableUpDownCounter("edgetwin.ingest.verifier.cache.gateways", held, "{gateway}", "Gateways whose verifier this worker keeps between batches; at most Ingest:VerifierCacheGateways.");
        _meter.CreateObservableCounter("edgetwin.ingest.verifier.cache.evictions", evicted, "{gateway}", "Gateways let go from the full verifier cache (log 7022): each one's next batch reads and decodes its chains' stored states again. Rising: raise Ingest:VerifierCacheGateways.");
    }

    public void Record(string outcome) => Records(outcome, 1);

    public void Records(string outcome, long count)
    {
        if (count > 0)
        {
            _records.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>A committed batch's records by what became of them.</summary>
    public void Committed(BatchResult result)
    {
        Records("stored", result.Stored);
        Records("duplicate", result.Duplicates);
        Records("evidence", result.Evidence);
        foreach (var (problem, count) in result.EvidenceByProblem)
        {
            _evidence.Add(count, new KeyValuePair<string, object?>("problem", problem));
        }

        foreach (var (problem, count) in result.EvidenceDroppedByProblem)
        {
            _evidenceDropped.Add(count, new KeyValuePair<string, object?>("problem", problem));
        }

        if (result.LinksRestored > 0)
        {
            _linksRestored.Add(result.LinksRestored);
        }
    }

    /// <summary>A batch's store transaction that failed; <paramref name="error"/> is the exception's type name (a bounded set: the code's own and its libraries').</summary>
    public void BatchFailed(Exception error) => _batchesFailed.Add(1, new KeyValuePair<string, object?>("error", error.GetType().Name));

    public void Alert(string kind) => _alerts.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Receipt() => _receipts.Add(1);

    public void PublishFailed(string kind, string reason) => _publishFailed.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("reason", reason));

    public void ResendRequested(long seqs)
    {
        _resendRequests.Add(1);
        _resendSeqs.Add(seqs);
    }

    public void EnrolmentReload(string outcome) => _enrolmentReloads.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    public void HttpRefused(string outcome) => _httpRefused.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void RetentionPartition(string outcome) => _retention.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Messages taken from the broker (+) or acknowledged or given up (-).</summary>
    public void InFlight(long change) => _inFlight.Add(change);

    public void AcknowledgementsSkipped(long count) => _acksSkipped.Add(count);

    public void ProbeReturned(TimeSpan roundTrip)
    {
        _probes.Add(1, new KeyValuePair<string, object?>("outcome", "returned"));
        _probeRoundTrip.Record(roundTrip.TotalSeconds);
    }

    public void ProbeUnmatched() => _probes.Add(1, new KeyValuePair<string, object?>("outcome", "unmatched"));

    public void ReceiveStalled() => _stalls.Add(1);

    /// <summary>A probe overdue while the receive window was full: flow control, not a stall (told once per probe).</summary>
    public void ProbeBehindAFullWindow() => _probes.Add(1, new KeyValuePair<string, object?>("outcome", "overdue-window-full"));
}
