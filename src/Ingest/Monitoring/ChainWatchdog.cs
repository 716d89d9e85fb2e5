namespace EdgeTwin.Ingest.Monitoring;

using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Alerts that come from time passing rather than from a message: seqs still missing (not passed
/// by a gap statement a valid checkpoint's path crossed: a pending one is only a claim) after <see cref="IngestOptions.GapTimeout"/>, and gateways with no
/// checkpoint for <see cref="IngestOptions.SilentAfter"/>. Each fires once per episode; the flags
/// live with the locked chain rows, so several workers do not repeat each other. A scan that fails
/// (the store unavailable: PostgreSQL restarting) is logged (7014) and the next tick scans again;
/// it never stops the ingest.
/// </summary>
internal sealed class ChainWatchdog : BackgroundService
{
    private readonly IIngestStore _store;
    private readonly IOptionsMonitor<IngestOptions> _options;
    private readonly AlertPublisher _alerts;
    private readonly TimeProvider _time;
    private readonly ILogger<ChainWatchdog> _logger;

    public ChainWatchdog(IIngestStore store, IOptionsMonitor<IngestOptions> options, AlertPublisher alerts, TimeProvider time, ILogger<ChainWatchdog> logger)
    {
        _store = store;
        _options = options;
        _alerts = alerts;
        _time = time;
        _logger = logger;
    }

    public async Task<IReadOnlyList<AlertRow>> ScanAsync(CancellationToken ct)
    {
        var o = _options.CurrentValue;
        var raised = new List<AlertRow>();
        foreach (var gw in (await _store.ChainsAsync(null, ct).ConfigureAwait(false)).GroupBy(c => c.Id.Gw, StringComparer.Ordinal))
        {
            var ids = gw.Select(c => c.Id).ToList();
            var found = await _store.WriteAsync(ids, gw.First().Site, session => CheckAsync(session, gw.Key, ids, o), ct).ConfigureAwait(false);
            raised.AddRange(found);
        }

        _alerts.Published(raised);
        return raised;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.CurrentValue.WatchInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await ScanAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Nothing was written (each gateway's check is one transaction); the next tick sees the same chains.
                    IngestLog.WatchdogScanFailed(_logger, timer.Period, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<IReadOnlyList<AlertRow>> CheckAsync(IWriteSession session, string gw, List<ChainId> ids, IngestOptions o)
    {
        var now = _time.GetUtcNow();
        var raised = new List<AlertRow>();
        // The gateway's last sign of life: its latest checkpoint on any chain (only its own count, GatewayBatch).
        // One that never signed is reckoned from when its first chain was seen, not its latest: anyone can
        // publish a record of an epoch of their own making on its topic, a chain first seen now.
        DateTimeOffset? lastCheckpoint = null;
        var firstSeen = DateTimeOffset.MaxValue;
        string site = string.Empty;
        foreach (var id in ids)
        {
            var c = session.Chain(id);
            site = c.Site;
            lastCheckpoint = c.LastCheckpointAt > (lastCheckpoint ?? DateTimeOffset.MinValue) ? c.LastCheckpointAt : lastCheckpoint;
            firstSeen = c.FirstSeenAt < firstSeen ? c.FirstSeenAt : firstSeen;
            if (c.MissingSince is { } since && !c.GapAlerted && now - since >= o.GapTimeout)
            {
                var alert = new AlertRow(now, AlertKind.UncoveredGap, gw, id.Lane, id.Epoch, c.VerifiedThrough + 1,
                    $"{c.Missing} seqs missing since {since:O} and not covered by a gap statement");
                await session.AddAlertAsync(alert).ConfigureAwait(false);
                session.SetChain(c with { GapAlerted = true });
                raised.Add(alert);
            }
        }

        var lastSign = lastCheckpoint ?? firstSeen;
        var gateway = await session.GatewayAsync(gw).ConfigureAwait(false) ?? new GatewayRow { Gw = gw, Site = site, UpdatedAt = now };
        var silent = now - lastSign >= o.SilentAfter;
        if (silent && !gateway.SilentAlerted)
        {
            var alert = new AlertRow(now, AlertKind.SilentGateway, gw, null, null, null, $"no checkpoint since {lastSign:O}");
            await session.AddAlertAsync(alert).ConfigureAwait(false);
            await session.SetGatewayAsync(gateway with { SilentAlerted = true }).ConfigureAwait(false);
            raised.Add(alert);
        }
        else if (!silent && gateway.SilentAlerted)
        {
            await session.SetGatewayAsync(gateway with { SilentAlerted = false }).ConfigureAwait(false);
        }

        return raised;
    }
}
