namespace EdgeTwin.Ingest.Processing;

using EdgeTwin.Hosting;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Topics;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Where a message becomes data, evidence or nothing. One gateway's share of a batch is one store
/// transaction: its chain rows locked, verifier state imported, every record added to the verifier,
/// accepted records stored, verifier state exported, figures updated, alerts stored. Receipts come
/// out only for what that committed transaction holds as verified, and a seq counts as verified only
/// when the stored record there is the very one the verifier linked.
/// </summary>
internal sealed class BatchProcessor
{
    private readonly IIngestStore _store;
    private readonly IOptionsMonitor<IngestOptions> _options;
    private readonly TimeProvider _time;
    private readonly VerifierCache _verifiers;
    private readonly ILogger? _logger;
    private readonly LogThrottle _cacheFullTold;
    private readonly AlarmQueue? _alarms;
    private readonly GatewayEnrolment _enrolment;
    private readonly EvidenceBudget _evidenceBudget;
    private readonly AlertThrottle _replayAlerts = new(TimeSpan.FromMinutes(1), EvidenceBudget.MaxGateways, "*");
    private readonly AlertThrottle _overBudgetAlerts = new(TimeSpan.FromMinutes(1), EvidenceBudget.MaxGateways, "*");
    private readonly AlertThrottle _counterAlerts = new(TimeSpan.FromMinutes(1), EvidenceBudget.MaxGateways, "*");

    // Gateways a ProcessAsync call is working on: lanes may call side by side, never on one gateway.
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);
    private readonly Lock _busyGate = new();

    /// <summary>Chains whose row vanished under this worker (<see cref="ChainRowVanishedException"/>): the batch that makes the row again says so.</summary>
    private readonly HashSet<ChainId> _rowsLost = [];

    public BatchProcessor(IIngestStore store, IOptionsMonitor<IngestOptions> options, TimeProvider time, AlarmQueue? alarms = null, GatewayEnrolment? enrolment = null,
        IngestMetrics? metrics = null, ILogger<BatchProcessor>? logger = null)
    {
        _verifiers = new VerifierCache(options.CurrentValue.VerifierCacheGateways);
        _logger = logger;
        _cacheFullTold = new LogThrottle(time, TimeSpan.FromHours(1));
        metrics?.ObserveVerifierCache(() => _verifiers.Count, () => _verifiers.Evicted);
        _enrolment = enrolment ?? new GatewayEnrolment(options);
        _evidenceBudget = new EvidenceBudget(options.CurrentValue.EvidencePerGatewayPerMinute, options.CurrentValue.EvidencePerMinute);
        _store = store;
        _options = options;
        _time = time;
        _alarms = alarms;
    }

    /// <summary>Log 7022 when the cache first lets a gateway go, then at most once an hour while it keeps doing so.</summary>
    private void CacheFull(string evicted)
    {
        if (_logger is not null && _cacheFullTold.ShouldLog("verifier-cache-full", out _))
        {
            IngestLog.VerifierCacheFull(_logger, _verifiers.Capacity, evicted, _verifiers.Evicted);
        }
    }

    public Task<BatchResult> ProcessAsync(IReadOnlyList<IncomingMessage> batch, CancellationToken ct) =>
        ProcessAsync(batch.Select(Plan).ToList(), ct);

    /// <summary>
    /// A batch whose messages were planned already (<see cref="Plan(IncomingMessage)"/>): the worker
    /// plans each message as it arrives, beside the store stage, so the batch's transaction does not wait for parsing.
    /// </summary>
    /// <remarks>
    /// Calls may run side by side on batches of different gateways (the worker's store lanes split by
    /// gateway): a gateway's verifier is one object that one batch at a time may advance. A batch with
    /// a gateway another call is working on is refused (<see cref="InvalidOperationException"/>) before
    /// anything is read or written.
    /// </remarks>
    public async Task<BatchResult> ProcessAsync(IReadOnlyList<PlannedMessage> planned, CancellationToken ct)
    {
        var gateways = planned.Select(p => p.Message.Name.Gw).ToHashSet(StringComparer.Ordinal);
        lock (_busyGate)
        {
            if (gateways.FirstOrDefault(_busy.Contains) is { } taken)
            {
                throw new InvalidOperationException($"gateway '{taken}' is in a batch being stored already: one gateway's batches are stored one at a time (the worker's lanes split by gateway)");
            }

            _busy.UnionWith(gateways);
        }

        try
        {
            return await ProcessOwnedAsync(planned, ct).ConfigureAwait(false);
        }
        finally
        {
            lock (_busyGate)
            {
                _busy.ExceptWith(gateways);
            }
        }
    }

    private async Task<BatchResult> ProcessOwnedAsync(IReadOnlyList<PlannedMessage> planned, CancellationToken ct)
    {
        // The whole batch is one transaction (one commit, one fsync), its gateways taken in one order
        // on every worker: the chain rows are locked first (sorted), then each gateway's row as its turn
        // comes, so two workers cannot wait for each other.
        var works = new List<GatewayBatch>();
        var chains = new List<ChainId>();
        var sites = new Dictionary<ChainId, string>();
        var held = new Dictionary<ChainId, byte[]?>();
        foreach (var group in planned.GroupBy(p => p.Message.Name.Gw, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var items = group.ToList();
            var enrolled = _enrolment.AddressOf(group.Key);

            // Chains of a gateway that is not enrolled are never created: its records are evidence only.
            var mine = enrolled is null ? [] : items.Where(i => i.Chain is not null).Select(i => i.Chain!.Value).Distinct().ToList();
            var site = items[0].Message.Name.Site;
            foreach (var c in mine)
            {
                sites[c] = site;
            }

            chains.AddRange(mine);
            ChainVerification? verifier = null;
            if (enrolled is not null)
            {
                verifier = _verifiers.For(group.Key, enrolled, out var evicted);
                if (evicted is not null)
                {
                    CacheFull(evicted);
                }
            }

            foreach (var c in mine)
            {
                held[c] = verifier!.HeldDigest(c);
            }

            works.Add(new GatewayBatch(_time, group.Key, enrolled, verifier, items, mine, _options.CurrentValue.Anchor.Enabled)
            {
                Alarms = _alarms is { Enabled: true } ? _alarms : null,
                Enrolment = _enrolment,
                RetentionOn = _options.CurrentValue.Retention is not null,
                EvidenceBudget = _evidenceBudget,
                ReplayAlerts = _replayAlerts,
                OverBudgetAlerts = _overBudgetAlerts,
                CounterAlerts = _counterAlerts,
            });
        }

        List<ChainId> lost;
        lock (_busyGate)
        {
            lost = [.. chains.Where(_rowsLost.Contains)];
        }

        var lostAlerts = new List<AlertRow>();
        try
        {
            // A chain state this worker exported and that is still the stored one is not read back (docs/ingest.md "Chain state").
            var results = await _store.WriteAsync(chains, c => sites[c], c => held[c], async session =>
            {
                // Rows that vanished under this worker, made again by this transaction: said once, with it.
                lostAlerts.Clear();
                foreach (var c in lost)
                {
                    var alert = new AlertRow(_time.GetUtcNow(), AlertKind.ChainRowLost, c.Gw, c.Lane, c.Epoch, null,
                        $"{AlertKind.ChainRowLost}: the chain's row vanished while this worker held its state (a database restored from an older backup, or the row deleted); made again, its verification starts from nothing: the records before this batch wait for re-sends, which the gateway no longer holds where it was receipted");
                    await session.AddAlertAsync(alert).ConfigureAwait(false);
                    lostAlerts.Add(alert);
                }

                // Which of the batch's records are stored already, and its gateways' rows: one round trip for all (PostgreSQL).
                await session.PrepareAsync([.. works.SelectMany(w => w.ExpectedRecords)], [.. works.Select(w => w.Gw)]).ConfigureAwait(false);
                foreach (var work in works)
                {
                    await work.AddAsync(session).ConfigureAwait(false);
                }

                // The stored hashes every chain's conclusion confirms: one round trip for the batch (PostgreSQL), not one per chain.
                var ranges = new List<(ChainId, long, long)>();
                foreach (var work in works)
                {
                    ranges.AddRange(await work.ToConfirmAsync().ConfigureAwait(false));
                }

                await session.PrefetchStoredHashesAsync(ranges).ConfigureAwait(false);
                var list = new List<BatchResult>(works.Count);
                foreach (var work in works)
                {
                    list.Add(await work.ConcludeAsync().ConfigureAwait(false));
                }

                return list;
            }, ct).ConfigureAwait(false);
            if (lost.Count > 0)
            {
                lock (_busyGate)
                {
                    _rowsLost.ExceptWith(lost);
                }
            }

            var result = new BatchResult(
                [.. results.SelectMany(r => r.Receipts)], [.. lostAlerts, .. results.SelectMany(r => r.Alerts)],
                results.Sum(r => r.Stored), results.Sum(r => r.Duplicates), results.Sum(r => r.Evidence), results.Sum(r => r.AlarmsQueued))
            {
                EvidenceByProblem = results.SelectMany(r => r.EvidenceByProblem).GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(e => e.Value), StringComparer.Ordinal),
                EvidenceDroppedByProblem = results.SelectMany(r => r.EvidenceDroppedByProblem).GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(e => e.Value), StringComparer.Ordinal),
                LinksRestored = results.Sum(r => r.LinksRestored),
            };
            if (result.AlarmsQueued > 0)
            {
                _alarms!.Committed();
            }

            return result;
        }
        catch (Exception ex)
        {
            // Rolled back: the verifiers saw records the store did not keep, and the budget and alert throttles
            // counted evidence and alerts it did not keep either.
            foreach (var work in works)
            {
                _verifiers.Forget(work.Gw);
                work.RolledBack();
            }

            if (ex is ChainRowVanishedException vanished)
            {
                lock (_busyGate)
                {
                    _rowsLost.UnionWith(vanished.Chains);
                }
            }

            throw;
        }
    }

    /// <summary>A message's header read (a record's gateway, lane, epoch and seq) and its chain, or why it is not a record of its topic.</summary>
    public static PlannedMessage Plan(IncomingMessage m)
    {
        if (m.Name.Leaf is TopicLeaf.TwinReported or TopicLeaf.Status)
        {
            return new PlannedMessage(m, null, null, null);
        }

        if (!RecordHeader.TryParse(m.Payload, out var header, out var problem, m.Name.Gw))
        {
            return new PlannedMessage(m, null, null, problem);
        }

        var topicLane = m.Name.Leaf == TopicLeaf.Alarm ? WireNames.Alarm : WireNames.Telemetry;
        var mismatch = header!.Gw != m.Name.Gw ? $"topic-mismatch: record of gateway '{header.Gw}' published on {m.Topic}"
            : header.Lane != topicLane ? $"topic-mismatch: {header.Lane} record published on {m.Topic}"
            : null;
        return mismatch is null
            ? new PlannedMessage(m, header, new ChainId(header.Gw, header.Lane, header.Epoch), null)
            : new PlannedMessage(m, header, null, mismatch);
    }
}

/// <summary>A message as planned: its parsed header and chain, or why it is not a record of its topic.</summary>
internal sealed record PlannedMessage(IncomingMessage Message, RecordHeader? Header, ChainId? Chain, string? Problem);
