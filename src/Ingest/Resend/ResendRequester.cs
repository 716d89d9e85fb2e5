namespace EdgeTwin.Ingest.Resend;

using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeTwin.Ingest.Enrolment;
using EdgeTwin.Ingest.Identity;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Ingest.Topics;
using EdgeTwin.Telemetry.Receipts;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Asks gateways for what the ingest misses (issue 21): every <c>Ingest:ResendInterval</c> it looks at
/// each enrolled gateway's chains (<see cref="ResendPlanner"/>: missing seqs, no genesis, a reported
/// head beyond what it holds) and, for what was missing at two looks in a row (so not merely still in
/// flight), publishes a re-send request signed by the ingest key on <c>{prefix}/{site}/{gw}/resend</c>.
/// The gateway bounds what it answers; duplicates this causes are counted and stored once.
/// </summary>
internal sealed class ResendRequester(
    IIngestStore store,
    MqttIngestWorker worker,
    IngestIdentity identity,
    IOptionsMonitor<IngestOptions> options,
    GatewayEnrolment enrolment,
    IngestMetrics metrics,
    TimeProvider time,
    ILogger<ResendRequester> logger) : BackgroundService
{
    private Dictionary<ChainId, IReadOnlyList<(long From, long To)>> _before = [];
    private readonly UnreadableChainNotices _unreadable = new(time);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await worker.Subscribed.WaitAsync(stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.CurrentValue.ResendInterval, time, stoppingToken).ConfigureAwait(false);
                try
                {
                    await LookAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The store is unavailable (PostgreSQL restarting): the next look asks again, it never stops the ingest.
                    IngestLog.ResendLookFailed(logger, options.CurrentValue.ResendInterval, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One look at every chain; returns the requests published (tests call it directly).</summary>
    internal async Task<IReadOnlyList<ResendRequest>> LookAsync(CancellationToken ct)
    {
        var o = options.CurrentValue;
        var chains = await store.ChainsAsync(null, ct).ConfigureAwait(false);
        var gateways = await store.GatewaysAsync(ct).ConfigureAwait(false);
        var now = Wanted(chains, gateways, enrolment, (row, problem) =>
        {
            if (_unreadable.ShouldTell(row.Id))
            {
                IngestLog.ChainStateUnreadable(logger, row.Id.Gw, row.Id.Lane, row.Id.Epoch, problem);
            }
        });
        _unreadable.EndLook();

        var sent = new List<ResendRequest>();
        foreach (var (chain, (site, ranges)) in now)
        {
            foreach (var (from, to) in ResendPlanner.Persisting(_before.GetValueOrDefault(chain, []), ranges))
            {
                var request = ResendRequest.Sign(chain.Gw, chain.Lane, chain.Epoch, from, to, identity.Key);
                if (await worker.PublishAsync(TopicName.Resend(o.TopicPrefix, site, chain.Gw), request.ToPayload(), ct).ConfigureAwait(false))
                {
                    sent.Add(request);
                    metrics.ResendRequested(to - from + 1);
                    IngestLog.ResendRequested(logger, chain.Gw, chain.Lane, from, to, from == 0 ? "genesis not received" : "missing, or behind the reported head");
                }
            }
        }

        _before = now.ToDictionary(kv => kv.Key, kv => kv.Value.Ranges);
        return sent;
    }

    /// <summary>
    /// What each chain misses now, by chain: enrolled gateways' chains whose key still signs for them,
    /// and reported chains the ingest holds no row of yet (from their start). A chain left out (broken,
    /// unenrolled genesis, cut off, or its stored state unreadable: <paramref name="unreadableState"/>
    /// is told) is not asked for at all.
    /// </summary>
    internal static Dictionary<ChainId, (string Site, IReadOnlyList<(long From, long To)> Ranges)> Wanted(
        IReadOnlyList<ChainRow> chains, IReadOnlyList<GatewayRow> gateways, GatewayEnrolment enrolment, Action<ChainRow, string> unreadableState)
    {
        var now = new Dictionary<ChainId, (string Site, IReadOnlyList<(long From, long To)> Ranges)>();
        var heads = new Dictionary<ChainId, long>();
        foreach (var g in gateways)
        {
            foreach (var (chain, seq) in ReportedHeads(g))
            {
                heads[chain] = seq;
            }
        }

        // A chain is asked for only while its key still signs for its gateway: the enrolled address,
        // followed along the key rotations the ingest verified (docs/operations.md "Keys").
        var rotations = gateways.ToDictionary(g => g.Gw, g => KeyHistory.Parse(g.KeyRotations), StringComparer.Ordinal);
        foreach (var row in chains.Where(c => enrolment.IsEnrolled(c.Id.Gw)))
        {
            if (!row.TryDecodeState(out var state, out var unreadable))
            {
                unreadableState(row, unreadable!);
                continue;
            }

            if (state is { Broken: true } or { Unenrolled: true }
                || (state?.Key is { } key && !KeyHistory.Signs(enrolment.AddressOf(row.Id.Gw), rotations.GetValueOrDefault(row.Id.Gw) ?? [], row.Id.Lane, row.Id.Epoch, key, enrolment.RevokedReason(key) is not null, out _)))
            {
                continue;
            }

            now[row.Id] = (row.Site, ResendPlanner.Missing(state, heads.TryGetValue(row.Id, out var h) ? h : null, enrolment.AddressOf(row.Id.Gw)));
        }

        var sites = gateways.ToDictionary(g => g.Gw, g => g.Site, StringComparer.Ordinal);
        // A reported chain with no row yet: asked for from its start. One with a row left out above
        // (broken, unenrolled, cut off, unreadable) is not asked for at all.
        var rowed = chains.Select(c => c.Id).ToHashSet();
        foreach (var (chain, seq) in heads.Where(h => !rowed.Contains(h.Key) && enrolment.IsEnrolled(h.Key.Gw)))
        {
            now[chain] = (sites[chain.Gw], ResendPlanner.Missing(null, seq));
        }

        return now;
    }

    /// <summary>The heads of a gateway's last reported twin: <c>heads.{lane}.{epoch,seq}</c>.</summary>
    private static IEnumerable<(ChainId Chain, long Seq)> ReportedHeads(GatewayRow g)
    {
        if (g.Reported is null)
        {
            yield break;
        }

        JsonObject? heads;
        try
        {
            heads = JsonNode.Parse(g.Reported)?["heads"] as JsonObject;
        }
        catch (JsonException)
        {
            yield break;
        }

        foreach (var (lane, node) in heads ?? [])
        {
            if (lane is WireNames.Telemetry or WireNames.Alarm && node?["epoch"] is JsonValue e && e.TryGetValue<string>(out var epoch)
                && node["seq"] is JsonValue s && s.TryGetValue<long>(out var seq) && seq >= 0)
            {
                yield return (new ChainId(g.Gw, lane, epoch), seq);
            }
        }
    }
}
