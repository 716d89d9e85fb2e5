namespace EdgeTwin.Ingest.Anchoring;

using System.Diagnostics.Metrics;
using System.Numerics;
using System.Security.Cryptography;
using EdgeTwin.Anchoring;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Metrics;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

/// <summary>
/// Every <see cref="AnchorOptions.Interval"/> (docs/anchoring.md): checks the latest anchors again
/// against the store and the ledger (a rewritten checkpoint record, leaf log or root raises
/// <c>anchor-mismatch</c>), then anchors the checkpoints verified since the last anchor: the leaf
/// positions and the root are fixed in the store first, then the transaction is sent, then its block
/// is kept. A crash between the two finds the prepared anchor again and, when the ledger already holds
/// it, takes the transaction from the ledger's event rather than anchoring twice (the contract
/// refuses a second anchor at one index anyway).
/// </summary>
internal sealed partial class Anchorer : BackgroundService
{
    /// <summary>The <c>gw</c> of alerts about the ledger as a whole.</summary>
    public const string Everyone = "*";

    private readonly IAnchorStore _store;
    private readonly IOptionsMonitor<IngestOptions> _options;
    private readonly AlertPublisher _alerts;
    private readonly TimeProvider _time;
    private readonly ILogger<Anchorer> _logger;
    private readonly HashSet<string> _raised = [];
    private readonly Counter<long> _anchors;
    private readonly Counter<long> _leaves;
    private readonly Counter<long> _failures;
    private IWeb3? _web3;
    private GatewayKey? _key;

    public Anchorer(IIngestStore store, IOptionsMonitor<IngestOptions> options, AlertPublisher alerts, TimeProvider time, ILogger<Anchorer> logger, IMeterFactory meters)
    {
        _store = (IAnchorStore)store;
        _options = options;
        _alerts = alerts;
        _time = time;
        _logger = logger;
        var meter = meters.Create(IngestMetrics.MeterName);
        _anchors = meter.CreateCounter<long>("edgetwin.ingest.anchors", "{anchor}", "Anchors the ledger accepted.");
        _leaves = meter.CreateCounter<long>("edgetwin.ingest.anchor.leaves", "{checkpoint}", "Verified checkpoints anchored.");
        _failures = meter.CreateCounter<long>("edgetwin.ingest.anchor.failures", "{round}", "Anchoring rounds the ledger could not complete, by reason.");
    }

    /// <summary>The address that signs anchors (the contract's anchorer).</summary>
    public string? Address => _key?.Address;

    /// <summary>One round: audit, then anchor what waits. Returns the anchor made or confirmed, if any.</summary>
    public async Task<AnchorRow?> RoundAsync(CancellationToken ct)
    {
        var o = _options.CurrentValue.Anchor;
        var web3 = Web3();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(o.Timeout);
        try
        {
            await AuditAsync(web3, o, deadline.Token).ConfigureAwait(false);
            var row = await _store.PrepareAnchorAsync(o.MaxLeaves, RootOf, _time.GetUtcNow(), deadline.Token).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            var anchored = await SendAsync(web3, o, row, deadline.Token).ConfigureAwait(false);
            _raised.RemoveWhere(k => k.StartsWith("unreachable", StringComparison.Ordinal));
            return anchored;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _failures.Add(1, new KeyValuePair<string, object?>("reason", e is OperationCanceledException ? "timeout" : "ledger"));
            LedgerFailed(_logger, o.Rpc!, e.Message, e);
            await AlertOnceAsync("unreachable", AlertKind.AnchorFailed, null, $"anchoring to {o.Rpc} failed: {e.Message}; the checkpoints wait for the next round", ct).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>SHA-256 leaf and node hashes (RFC 6962) over the checkpoint hashes, in position order.</summary>
    internal static string RootOf(IReadOnlyList<string> checkpointHashes) =>
        Convert.ToHexStringLower(MerkleTree.Root([.. checkpointHashes.Select(MerkleTree.CheckpointLeaf)]));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.CurrentValue.Anchor.Enabled)
        {
            return;
        }

        Web3();
        Started(_logger, _key!.Address, _options.CurrentValue.Anchor.Contract!, _options.CurrentValue.Anchor.ChainId, _options.CurrentValue.Anchor.Interval);
        using var timer = new PeriodicTimer(_options.CurrentValue.Anchor.Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RoundAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _key?.Dispose();
        base.Dispose();
    }

    private IWeb3 Web3()
    {
        if (_web3 is not null)
        {
            return _web3;
        }

        var options = _options.CurrentValue;
        try
        {
            _key = GatewayKey.LoadOrCreate(options.AnchorKeyFilePath(), out var created);
            if (created)
            {
                KeyGenerated(_logger, _key.Address, options.AnchorKeyFilePath());
            }
        }
        catch (KeyFileException e)
        {
            throw new OptionsValidationException(IngestOptions.Section, typeof(IngestOptions), [$"Ingest:Anchor:KeyFile: {e.Message}"]);
        }

        _web3 = AnchorWeb3.Signing(options.Anchor.Rpc!, _key, options.Anchor.ChainId, options.Anchor.Timeout);
        return _web3;
    }

    private async Task<AnchorRow?> SendAsync(IWeb3 web3, AnchorOptions o, AnchorRow row, CancellationToken ct)
    {
        var contract = o.Contract!;
        var onLedger = await AnchorContract.CountAsync(web3, contract, ct).ConfigureAwait(false);
        if (onLedger < row.Index)
        {
            await AlertOnceAsync($"behind:{row.Index}", AlertKind.AnchorMismatch, null, $"the ledger holds {onLedger} anchors, the store {row.Index}: a different contract or chain? Nothing sent", ct).ConfigureAwait(false);
            return null;
        }

        if (onLedger > row.Index)
        {
            // Sent before a crash (or by another worker): take it from the ledger if it is ours.
            var held = await AnchorContract.GetAsync(web3, contract, row.Index, ct).ConfigureAwait(false);
            if (Convert.ToHexStringLower(held.Root) != row.Root)
            {
                await AlertOnceAsync($"root:{row.Index}", AlertKind.AnchorMismatch, null, $"anchor {row.Index}: the ledger holds root {Convert.ToHexStringLower(held.Root)}, the store prepared {row.Root}", ct).ConfigureAwait(false);
                return null;
            }

            var found = await FindAnchoredAsync(web3, contract, row.Index, ct).ConfigureAwait(false)
                ?? throw new AnchorLedgerException($"anchor {row.Index} is on the ledger but no Anchored event names it");
            return await ConfirmAsync(o, row, found.TransactionHash, (long)found.BlockNumber.Value, ct).ConfigureAwait(false);
        }

        var receipt = await AnchorContract.AnchorAsync(web3, contract, Convert.FromHexString(row.Root), row.FirstLeaf, row.TreeSize, Convert.FromHexString(row.PreviousRoot), ct).ConfigureAwait(false);
        if (receipt.Status?.Value != 1 || AnchorContract.AnchoredEvents(receipt, contract).All(e => (long)e.Index != row.Index))
        {
            throw new AnchorLedgerException($"anchor {row.Index}: transaction {receipt.TransactionHash} did not anchor it (status {receipt.Status?.Value})");
        }

        return await ConfirmAsync(o, row, receipt.TransactionHash, (long)receipt.BlockNumber.Value, ct).ConfigureAwait(false);
    }

    private async Task<AnchorRow> ConfirmAsync(AnchorOptions o, AnchorRow row, string tx, long block, CancellationToken ct)
    {
        var at = _time.GetUtcNow();
        await _store.ConfirmAnchorAsync(row.Index, o.ChainId, o.Contract!, tx, block, at, ct).ConfigureAwait(false);
        _anchors.Add(1);
        _leaves.Add(row.TreeSize);
        Anchored(_logger, row.Index, row.TreeSize, row.Root, tx, block);
        return row with { ChainId = o.ChainId, Contract = o.Contract, Tx = tx, Block = block, AnchoredAt = at };
    }

    private static async Task<FilterLog?> FindAnchoredAsync(IWeb3 web3, string contract, long index, CancellationToken ct)
    {
        var anchored = web3.Eth.GetEvent<AnchoredEvent>(contract);
        var filter = anchored.CreateFilterInput(new BigInteger(index), BlockParameter.CreateEarliest(), BlockParameter.CreateLatest());
        var logs = await anchored.GetAllChangesAsync(filter).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return logs.Select(l => l.Log).FirstOrDefault();
    }

    /// <summary>
    /// The latest anchored anchors, again: each leaf still the stored checkpoint's hash, the root still
    /// theirs, the ledger still holding it, and the previous root the store names still the ledger's
    /// anchor before it (the anchors one chain). A ledger holding fewer anchors than the store has
    /// anchored (another contract or chain, a chain rolled back) is a mismatch, not an outage.
    /// </summary>
    private async Task AuditAsync(IWeb3 web3, AnchorOptions o, CancellationToken ct)
    {
        var audited = (await _store.AnchorsAsync(o.AuditDepth + 1, ct).ConfigureAwait(false)).Where(a => a.Anchored).Take(o.AuditDepth).ToList();
        var onLedger = audited.Count == 0 ? 0 : await AnchorContract.CountAsync(web3, o.Contract!, ct).ConfigureAwait(false);

        // Each anchor is read from the ledger once: as audited, and as the one before the next audited.
        var ledger = new Dictionary<long, LedgerAnchor>();
        async Task<LedgerAnchor> LedgerAt(long index)
        {
            if (!ledger.TryGetValue(index, out var held))
            {
                ledger[index] = held = await AnchorContract.GetAsync(web3, o.Contract!, index, ct).ConfigureAwait(false);
            }

            return held;
        }

        foreach (var anchor in audited)
        {
            var leaves = await _store.AuditLeavesAsync(anchor.FirstLeaf, anchor.TreeSize, ct).ConfigureAwait(false);
            foreach (var leaf in leaves)
            {
                var actual = leaf.Payload is null ? null : Convert.ToHexStringLower(SHA256.HashData(leaf.Payload));
                if (actual != leaf.LeafHash)
                {
                    await AlertOnceAsync($"leaf:{leaf.Position}", AlertKind.AnchorMismatch, leaf,
                        actual is null ? $"anchor {anchor.Index}: the checkpoint at leaf {leaf.Position} is no longer stored"
                        : $"anchor {anchor.Index}: the stored checkpoint at leaf {leaf.Position} hashes to {actual}, the anchored leaf is {leaf.LeafHash}: the record was changed after anchoring", ct).ConfigureAwait(false);
                }
            }

            var root = leaves.Count == anchor.TreeSize ? RootOf([.. leaves.Select(l => l.LeafHash)]) : null;
            if (root != anchor.Root)
            {
                await AlertOnceAsync($"tree:{anchor.Index}", AlertKind.AnchorMismatch, null,
                    $"anchor {anchor.Index}: the leaf log gives {(root is null ? $"{leaves.Count} of {anchor.TreeSize} leaves" : $"root {root}")}, the anchor says root {anchor.Root}", ct).ConfigureAwait(false);
            }

            if (anchor.Index >= onLedger)
            {
                await AlertOnceAsync($"ledger:{anchor.Index}", AlertKind.AnchorMismatch, null,
                    $"anchor {anchor.Index}: the store has it anchored in transaction {anchor.Tx}, the ledger holds only {onLedger} anchors: a different contract or chain, or a ledger rolled back", ct).ConfigureAwait(false);
                continue;
            }

            var held = await LedgerAt(anchor.Index).ConfigureAwait(false);
            if (Convert.ToHexStringLower(held.Root) != anchor.Root || held.FirstLeaf != anchor.FirstLeaf || held.TreeSize != anchor.TreeSize)
            {
                await AlertOnceAsync($"ledger:{anchor.Index}", AlertKind.AnchorMismatch, null,
                    $"anchor {anchor.Index}: the ledger holds root {Convert.ToHexStringLower(held.Root)} over leaves {held.FirstLeaf} + {held.TreeSize}, the store root {anchor.Root} over {anchor.FirstLeaf} + {anchor.TreeSize}", ct).ConfigureAwait(false);
            }

            var previous = anchor.Index == 0 ? AnchorRow.NoPreviousRoot
                : Convert.ToHexStringLower((await LedgerAt(anchor.Index - 1).ConfigureAwait(false)).Root);
            if (previous != anchor.PreviousRoot)
            {
                await AlertOnceAsync($"previous:{anchor.Index}", AlertKind.AnchorMismatch, null,
                    $"anchor {anchor.Index}: the store names previous root {anchor.PreviousRoot}, the ledger's anchor before it is root {previous}: the stored anchors no longer form the ledger's chain", ct).ConfigureAwait(false);
            }
        }
    }

    private async Task AlertOnceAsync(string key, string kind, AuditLeaf? leaf, string detail, CancellationToken ct)
    {
        if (!_raised.Add(key))
        {
            return;
        }

        var alert = new AlertRow(_time.GetUtcNow(), kind, leaf?.Chain.Gw ?? Everyone, leaf?.Chain.Lane, leaf?.Chain.Epoch, leaf?.Seq, detail);
        await _store.AddAlertAsync(alert, ct).ConfigureAwait(false);
        _alerts.Published([alert]);
    }

    [LoggerMessage(EventId = 7110, Level = LogLevel.Information, Message = "Anchoring as {Address} to contract {Contract} on chain {ChainId} every {Interval}")]
    private static partial void Started(ILogger logger, string address, string contract, long chainId, TimeSpan interval);

    [LoggerMessage(EventId = 7111, Level = LogLevel.Information, Message = "Anchor {Index}: {Leaves} checkpoints, root {Root}, transaction {Tx} in block {Block}")]
    private static partial void Anchored(ILogger logger, long index, long leaves, string root, string tx, long block);

    [LoggerMessage(EventId = 7112, Level = LogLevel.Warning, Message = "Anchoring to {Rpc} failed: {Problem}; the checkpoints wait for the next round")]
    private static partial void LedgerFailed(ILogger logger, string rpc, string problem, Exception ex);

    [LoggerMessage(EventId = 7113, Level = LogLevel.Warning, Message = "Generated a new anchoring key {Address} in {KeyFile} (mode 0600): deploy the contract from it (edgetwin anchor-deploy) and back it up")]
    private static partial void KeyGenerated(ILogger logger, string address, string keyFile);
}
