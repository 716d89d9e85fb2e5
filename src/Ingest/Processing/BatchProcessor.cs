namespace EdgeTwin.Ingest.Processing;

using System.Text;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Topics;
using Microsoft.Extensions.Options;

/// <summary>
/// Where a message becomes data, evidence or nothing. One batch is one store transaction: chain
/// rows locked, verifier state imported, every record added to the verifier, accepted records
/// stored, verifier state exported, figures updated, alerts stored. Receipts come out only for
/// what that committed transaction holds as verified (VerifiedThrough).
/// </summary>
internal sealed class BatchProcessor
{
    private readonly IIngestStore _store;
    private readonly IOptionsMonitor<IngestOptions> _options;
    private readonly TimeProvider _time;

    public BatchProcessor(IIngestStore store, IOptionsMonitor<IngestOptions> options, TimeProvider time)
    {
        _store = store;
        _options = options;
        _time = time;
    }

    public async Task<BatchResult> ProcessAsync(IReadOnlyList<IncomingMessage> batch, CancellationToken ct)
    {
        var receipts = new List<Receipt>();
        var alerts = new List<AlertRow>();
        int stored = 0, duplicates = 0, evidence = 0;

        // Records per gateway (each gateway has its own enrolled key), twin and status aside.
        var plan = Plan(batch);
        foreach (var group in plan.GroupBy(p => p.Message.Name.Gw, StringComparer.Ordinal))
        {
            var items = group.ToList();

            // Chains of a gateway that is not enrolled are never created: its records are evidence only.
            var chains = _options.CurrentValue.Enrolled.ContainsKey(group.Key)
                ? items.Where(i => i.Chain is not null).Select(i => i.Chain!.Value).Distinct().ToList()
                : [];
            var site = items[0].Message.Name.Site;
            var result = await _store.WriteAsync(chains, site, session => ProcessGatewayAsync(group.Key, items, session), ct).ConfigureAwait(false);
            receipts.AddRange(result.Receipts);
            alerts.AddRange(result.Alerts);
            stored += result.Stored;
            duplicates += result.Duplicates;
            evidence += result.Evidence;
        }

        return new BatchResult(receipts, alerts, stored, duplicates, evidence);
    }

    private List<PlannedMessage> Plan(IReadOnlyList<IncomingMessage> batch)
    {
        var list = new List<PlannedMessage>(batch.Count);
        foreach (var m in batch)
        {
            if (m.Name.Leaf is TopicLeaf.TwinReported or TopicLeaf.Status)
            {
                list.Add(new PlannedMessage(m, null, null, null));
                continue;
            }

            if (!RecordHeader.TryParse(m.Payload, out var header, out var problem))
            {
                list.Add(new PlannedMessage(m, null, null, problem));
                continue;
            }

            var topicLane = m.Name.Leaf == TopicLeaf.Alarm ? "alarm" : "telemetry";
            var mismatch = header!.Gw != m.Name.Gw ? $"topic-mismatch: record of gateway '{header.Gw}' published on {m.Topic}"
                : header.Lane != topicLane ? $"topic-mismatch: {header.Lane} record published on {m.Topic}"
                : null;
            list.Add(mismatch is null
                ? new PlannedMessage(m, header, new ChainId(header.Gw, header.Lane, header.Epoch), null)
                : new PlannedMessage(m, header, null, mismatch));
        }

        return list;
    }

    private async Task<BatchResult> ProcessGatewayAsync(string gw, List<PlannedMessage> items, IWriteSession session)
    {
        var now = _time.GetUtcNow();
        var alerts = new List<AlertRow>();
        var receipts = new List<Receipt>();
        int stored = 0, duplicates = 0, evidence = 0;
        var rejected = new Dictionary<ChainId, long>();
        var resend = new HashSet<ChainId>();
        _options.CurrentValue.Enrolled.TryGetValue(gw, out var enrolled);

        async Task Reject(PlannedMessage p, string problem, string alertKind)
        {
            await session.AddEvidenceAsync(new EvidenceRow(now, p.Message.Topic, p.Message.Name.Gw, problem, p.Message.Payload)).ConfigureAwait(false);
            var alert = new AlertRow(now, alertKind, p.Message.Name.Gw, p.Header?.Lane, p.Header?.Epoch, p.Header?.Seq, problem);
            await session.AddAlertAsync(alert).ConfigureAwait(false);
            alerts.Add(alert);
            evidence++;
            if (p.Chain is { } c)
            {
                rejected[c] = rejected.GetValueOrDefault(c) + 1;
            }
        }

        var chains = items.Where(i => i.Chain is not null).Select(i => i.Chain!.Value).Distinct().ToList();
        var verifier = enrolled is null ? null : new ChainVerification(enrolled);
        if (verifier is not null)
        {
            foreach (var chain in chains)
            {
                verifier.Import(session.Chain(chain));
            }
        }

        foreach (var p in items)
        {
            if (p.Message.Name.Leaf is TopicLeaf.TwinReported or TopicLeaf.Status)
            {
                await ApplyGatewayDocumentAsync(p.Message, session, now).ConfigureAwait(false);
                continue;
            }

            if (p.Problem is not null)
            {
                await Reject(p, p.Problem, p.Problem.StartsWith("topic-mismatch", StringComparison.Ordinal) ? AlertKind.TopicMismatch : AlertKind.Rejected).ConfigureAwait(false);
                continue;
            }

            if (verifier is null)
            {
                await Reject(p, $"not-enrolled: gateway '{gw}' has no enrolled address (Ingest:Enrolled:{gw})", AlertKind.UnenrolledGateway).ConfigureAwait(false);
                continue;
            }

            var header = p.Header!;
            var chainId = p.Chain!.Value;
            var outcome = verifier.Add(p.Message.Payload);
            switch (outcome.Status)
            {
                case VerificationStatus.New:
                    var row = new RecordRow(chainId, header.Seq, outcome.Hash, header.Kind, p.Message.Name.Site, header.Ts, header.Patient, header.Code, p.Message.Payload, now);
                    if (await session.TryInsertRecordAsync(row).ConfigureAwait(false))
                    {
                        stored++;
                        await OnStoredAsync(session, chainId, header, now, alerts).ConfigureAwait(false);
                    }
                    else
                    {
                        duplicates++;
                    }

                    break;
                case VerificationStatus.Duplicate:
                    duplicates++;
                    if (header.Seq <= session.Chain(chainId).ReceiptedThrough)
                    {
                        resend.Add(chainId);
                        var replay = new AlertRow(now, AlertKind.Replay, gw, header.Lane, header.Epoch, header.Seq, "a record already stored, verified and receipted arrived again");
                        await session.AddAlertAsync(replay).ConfigureAwait(false);
                        alerts.Add(replay);
                    }

                    break;
                case VerificationStatus.Fork:
                    await Reject(p, $"fork: seq {header.Seq} already holds another record (this one hashes to {outcome.Hash})", AlertKind.Fork).ConfigureAwait(false);
                    break;
                default:
                    await Reject(p, outcome.Problem ?? "rejected by the verifier", AlertKindFor(outcome.Problem)).ConfigureAwait(false);
                    break;
            }
        }

        foreach (var chainId in verifier is null ? [] : chains)
        {
            var before = session.Chain(chainId);
            var figures = verifier!.Figures(chainId);
            var after = before with
            {
                VerifierState = verifier.Export(chainId),
                Received = figures.Received,
                VerifiedThrough = figures.VerifiedThrough,
                Verified = figures.Verified,
                Pending = figures.Pending,
                Missing = figures.Missing,
                Duplicates = figures.Duplicates,
                Forks = figures.Forks,
                BadSignatures = figures.BadSignatures,
                BrokenLinks = figures.BrokenLinks,
                GapCovered = figures.GapCovered,
                Rejected = before.Rejected + rejected.GetValueOrDefault(chainId),
                MissingSince = figures.Missing == 0 ? null : before.MissingSince ?? now,
                GapAlerted = figures.Missing != 0 && before.GapAlerted,
                FirstSeenAt = before.Received == 0 && before.FirstSeenAt == DateTimeOffset.UnixEpoch ? now : before.FirstSeenAt,
            };

            // Counters the verifier found worse than before, for what no per-record alert said already.
            await CounterAlertAsync(session, alerts, now, chainId, AlertKind.BrokenLink, before.BrokenLinks, after.BrokenLinks).ConfigureAwait(false);
            await CounterAlertAsync(session, alerts, now, chainId, AlertKind.BadSignature, before.BadSignatures, after.BadSignatures).ConfigureAwait(false);
            // A gateway resending receipted records did not get the receipt: send it again.
            if (after.VerifiedThrough > before.ReceiptedThrough || (resend.Contains(chainId) && after.ReceiptedThrough >= 0))
            {
                receipts.Add(new Receipt(before.Site, chainId.Gw, chainId.Lane, chainId.Epoch, after.VerifiedThrough));
                after = after with { ReceiptedThrough = after.VerifiedThrough };
            }

            session.SetChain(after);
        }

        return new BatchResult(receipts, alerts, stored, duplicates, evidence);
    }

    private static async Task OnStoredAsync(IWriteSession session, ChainId chainId, RecordHeader header, DateTimeOffset now, List<AlertRow> alerts)
    {
        var row = session.Chain(chainId);
        if (header.Kind == "checkpoint")
        {
            session.SetChain(row with { LastCheckpointAt = now });
        }
        else if (header.Kind == "genesis")
        {
            session.SetChain(row with { GenesisReason = header.GenesisReason });
            var alert = new AlertRow(now, AlertKind.NewEpoch, chainId.Gw, chainId.Lane, chainId.Epoch, 0, $"new epoch, reason: {header.GenesisReason ?? "not stated"}");
            await session.AddAlertAsync(alert).ConfigureAwait(false);
            alerts.Add(alert);
        }
    }

    private static async Task CounterAlertAsync(IWriteSession session, List<AlertRow> alerts, DateTimeOffset now, ChainId chain, string kind, long before, long after)
    {
        if (after <= before || alerts.Any(a => a.Kind == kind && a.Gw == chain.Gw && a.Lane == chain.Lane && a.Epoch == chain.Epoch))
        {
            return;
        }

        var alert = new AlertRow(now, kind, chain.Gw, chain.Lane, chain.Epoch, null, $"{kind}: the verifier counts {after} (was {before})");
        await session.AddAlertAsync(alert).ConfigureAwait(false);
        alerts.Add(alert);
    }

    private static string AlertKindFor(string? problem) => problem switch
    {
        null => AlertKind.Rejected,
        _ when problem.Contains("enrol", StringComparison.OrdinalIgnoreCase) || problem.Contains("signer", StringComparison.OrdinalIgnoreCase) => AlertKind.UnenrolledSigner,
        _ when problem.Contains("sig", StringComparison.OrdinalIgnoreCase) => AlertKind.BadSignature,
        _ when problem.Contains("link", StringComparison.OrdinalIgnoreCase) || problem.Contains("prev", StringComparison.OrdinalIgnoreCase) => AlertKind.BrokenLink,
        _ => AlertKind.Rejected,
    };

    private static async Task ApplyGatewayDocumentAsync(IncomingMessage m, IWriteSession session, DateTimeOffset now)
    {
        var current = await session.GatewayAsync(m.Name.Gw).ConfigureAwait(false) ?? new GatewayRow { Gw = m.Name.Gw, Site = m.Name.Site, UpdatedAt = now };
        var text = Encoding.UTF8.GetString(m.Payload);
        if (m.Name.Leaf == TopicLeaf.Status)
        {
            if (GatewayDocuments.IsJsonObject(text))
            {
                await session.SetGatewayAsync(current with { Status = text, UpdatedAt = now, Site = m.Name.Site }).ConfigureAwait(false);
            }

            return;
        }

        // Reported twins are retained and re-delivered: only a higher version replaces the last one.
        if (GatewayDocuments.TryReportedVersion(text, m.Name.Gw, out var version) && version > current.ReportedVersion)
        {
            await session.SetGatewayAsync(current with { Reported = text, ReportedVersion = version, UpdatedAt = now, Site = m.Name.Site }).ConfigureAwait(false);
        }
    }

    private sealed record PlannedMessage(IncomingMessage Message, RecordHeader? Header, ChainId? Chain, string? Problem);
}
