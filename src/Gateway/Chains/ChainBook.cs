namespace EdgeTwin.Gateway.Chains;

using System.Reflection;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The gateway's two chains (telemetry, alarm) and the records appended since the last group
/// commit. Resumes the persisted heads, or starts new epochs saying why (first start, store lost,
/// store corrupt). Appends are serialised by one lock so seq order equals commit order; the
/// group committer (Outbox/GroupCommitter) takes the pending records with the heads they lead to.
/// </summary>
internal sealed class ChainBook : IRecordAppender, IDisposable
{
    public static readonly string Software =
        "edgetwin-gateway/" + (typeof(ChainBook).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");

    private readonly Lock _gate = new();
    private readonly Dictionary<Lane, ChainWriter> _writers = [];
    private readonly List<Pending> _pending = [];
    private List<Pending> _lastTaken = [];
    private readonly AutoResetEvent _wake = new(false);
    private readonly TimeProvider _time;
    private readonly IClockQuality _clock;
    private readonly GatewayMetrics _metrics;
    private bool _urgent;
    private NotKept? _notKept;

    public ChainBook(
        IOptions<GatewayOptions> gateway,
        IOptions<OutboxOptions> outbox,
        GatewayIdentity identity,
        OpenedOutbox opened,
        TimeProvider time,
        IClockQuality clock,
        GatewayMetrics metrics,
        ILogger<ChainBook> logger)
    {
        _time = time;
        _clock = clock;
        _metrics = metrics;
        var g = gateway.Value;
        var policy = new CheckpointPolicy { MaxRecords = outbox.Value.CheckpointMaxRecords, MaxDelay = outbox.Value.CheckpointMaxDelay };
        Store = opened.Store;
        Quarantined = opened.QuarantinedAs;
        if (opened.QuarantinedAs is not null)
        {
            GatewayLog.StoreQuarantined(logger, opened.QuarantinedAs, opened.QuarantineReason ?? "");
        }

        if (!FinalizerSafeLiteEngine.CanReachTransactions)
        {
            GatewayLog.LiteDbFinalizerGuardMissing(logger);
        }

        if (opened.EncryptedDocuments is { } copied)
        {
            GatewayLog.StoreEncrypted(logger, Path.Combine(g.DataDirectoryFullPath, OutboxStore.DataFileName), copied);
        }

        var heads = Store.Heads;
        foreach (var lane in new[] { Lane.Telemetry, Lane.Alarm })
        {
            if (heads.TryGetValue(lane, out var head))
            {
                if (head.Gw != g.Name)
                {
                    Store.Dispose();
                    throw new StartupException("Gateway:Name", $"the outbox in '{g.DataDirectoryFullPath}' holds the chains of gateway '{head.Gw}', not '{g.Name}'; use that name or another data directory.");
                }

                if (head.Key is { } chainKey && !string.Equals(chainKey, identity.Key.Address, StringComparison.OrdinalIgnoreCase))
                {
                    // Signing on with another key would make every later checkpoint a bad signature in the
                    // cloud, and a new epoch would abandon the records not yet delivered: neither, silently.
                    Store.Dispose();
                    throw new StartupException("Gateway:KeyFile", $"the {WireNames.Of(lane)} chain in the outbox (epoch {head.Epoch}, seq {head.Seq}) is signed by {chainKey}, but the gateway key ({identity.Key.Address}) is another: restore the gateway.key that signed it from its backup, or, to start new chains under this key, stop the gateway and move {OutboxStore.DataFileName} and {OutboxStore.LogFileName} aside (records not yet delivered from them are then not sent; docs/operations.md \"Keys\").");
                }

                _writers[lane] = ChainWriter.Resume(head, identity.Key, policy);
                GatewayLog.ChainResumed(logger, WireNames.Of(lane), head.Epoch, head.Seq);
                continue;
            }

            var reason = opened.QuarantinedAs is not null ? GenesisReason.StoreCorrupt
                : opened.Lost ? GenesisReason.StoreLost
                : GenesisReason.FirstStart;
            _writers[lane] = ChainWriter.StartNew(g.Name, lane, identity.Key, policy, reason, Software, Now, _clock.Current, out var genesis);
            Add(genesis, RecordClass.Keep);
            GatewayLog.ChainStarted(logger, WireNames.Of(lane), genesis.Epoch, reason.ToString());
        }

        if (opened.QuarantinedAs is not null)
        {
            AppendEvent("store-quarantined", new JsonObject
            {
                ["file"] = Path.GetFileName(opened.QuarantinedAs),
                ["error"] = opened.QuarantineReason,
            });
        }

        if (opened.EncryptedDocuments is { } documents)
        {
            AppendEvent("store-encrypted", new JsonObject { ["file"] = OutboxStore.DataFileName, ["documents"] = documents });
        }
    }

    public OutboxStore Store { get; }

    /// <summary>Where a corrupt store was moved at start-up (null when none was).</summary>
    public string? Quarantined { get; }

    /// <summary>
    /// Set when an alarm wants its commit now. An event, not a channel: setting it wakes the blocked
    /// committer thread directly, without a thread-pool hop that a busy two-core box would delay.
    /// </summary>
    public WaitHandle Wake => _wake;

    /// <summary>An alarm is appended and waits for its commit (a running commit cuts its deletions short).</summary>
    public bool UrgentPending => Volatile.Read(ref _urgent);

    private DateTimeOffset Now => _time.GetUtcNow();

    public ChainState Head(Lane lane)
    {
        lock (_gate)
        {
            return _writers[lane].State;
        }
    }

    /// <summary>Earliest time a checkpoint falls due on any lane (null when everything is covered).</summary>
    public DateTimeOffset? NextCheckpointDue
    {
        get
        {
            lock (_gate)
            {
                DateTimeOffset? due = null;
                foreach (var writer in _writers.Values)
                {
                    if (writer.NextCheckpointDue is { } d && (due is null || d < due))
                    {
                        due = d;
                    }
                }

                return due;
            }
        }
    }

    public ChainRecord AppendAlarm(AlarmBody body)
    {
        ChainRecord record;
        lock (_gate)
        {
            record = _writers[Lane.Alarm].AppendAlarm(body, Now, _clock.Current);
            Add(record, RecordClass.Keep);
            CheckpointIfDue(Lane.Alarm);
            _urgent = true;
        }

        _wake.Set();
        return record;
    }

    public ChainRecord AppendEvent(string type, JsonObject? fields)
    {
        lock (_gate)
        {
            var record = _writers[Lane.Telemetry].AppendEvent(type, fields, Now, _clock.Current);
            Add(record, RecordClass.Keep);
            CheckpointIfDue(Lane.Telemetry);
            return record;
        }
    }

    public ChainRecord? AppendObs(ObsBody body, RecordClass recordClass) =>
        AppendSamples(recordClass, body.Values.Count, writer => writer.AppendObs(body, Now, _clock.Current));

    public ChainRecord? AppendObsCompact(CompactObsBody body, RecordClass recordClass) =>
        AppendSamples(recordClass, body.SampleCount, writer => writer.AppendObsCompact(body, Now, _clock.Current));

    private ChainRecord? AppendSamples(RecordClass recordClass, int samples, Func<ChainWriter, ChainRecord> append)
    {
        lock (_gate)
        {
            if (_notKept is { } notKept)
            {
                notKept.Count(recordClass, samples);
                return null;
            }

            var record = append(_writers[Lane.Telemetry]);
            Add(record, recordClass, samples);
            CheckpointIfDue(Lane.Telemetry);
            return record;
        }
    }

    /// <summary>States that records <paramref name="from"/>..<paramref name="to"/> were dropped (quota eviction).</summary>
    public ChainRecord AppendGap(Lane lane, long from, long to, string firstPrev, string lastHash, string reason)
    {
        lock (_gate)
        {
            var record = _writers[lane].AppendGap(from, to, firstPrev, lastHash, reason, Now, _clock.Current);
            Add(record, RecordClass.Keep);
            CheckpointIfDue(lane);
            return record;
        }
    }

    /// <summary>A new checkpoint cadence for both lanes (desired state); taken at the next checkpoint decision.</summary>
    public void SetCheckpointPolicy(CheckpointPolicy policy)
    {
        lock (_gate)
        {
            foreach (var writer in _writers.Values)
            {
                writer.Policy = policy;
            }
        }
    }

    /// <summary>Forced checkpoints on every lane (graceful stop), so nothing is left unsigned.</summary>
    public void CheckpointAll()
    {
        lock (_gate)
        {
            foreach (var writer in _writers.Values)
            {
                if (writer.Checkpoint(Now, _clock.Current) is { } cp)
                {
                    Add(cp, RecordClass.Keep);
                }
            }
        }
    }

    /// <summary>Whether observations are being counted instead of chained (<see cref="HoldObservations"/>).</summary>
    public bool HoldingObservations
    {
        get
        {
            lock (_gate)
            {
                return _notKept is not null;
            }
        }
    }

    /// <summary>
    /// The outbox cannot take records (the disk is full): from now on observations are counted, not
    /// chained, so that memory holds only what must not be lost (alarms, events, checkpoints) until
    /// the outbox takes records again. The chain itself has no hole: what was not kept never had a seq.
    /// </summary>
    public void HoldObservations(string reason)
    {
        lock (_gate)
        {
            _notKept ??= new NotKept(reason, Now);
        }
    }

    /// <summary>
    /// Ends <see cref="HoldObservations"/>: appends a <c>storage-full</c> event saying how many
    /// observation records (and samples) were not kept, from when to when and why. Returns the
    /// counts (null when nothing was held).
    /// </summary>
    public NotKept? ResumeObservations()
    {
        lock (_gate)
        {
            if (_notKept is not { } notKept)
            {
                return null;
            }

            _notKept = null;
            var until = Now;
            var record = _writers[Lane.Telemetry].AppendEvent("storage-full", notKept.ToEvent(until), until, _clock.Current);
            Add(record, RecordClass.Keep);
            CheckpointIfDue(Lane.Telemetry);
            return notKept;
        }
    }

    /// <summary>
    /// Puts back the records of the last batch taken (all, or those of them still in
    /// <paramref name="batch"/>) whose commit failed, ahead of whatever was appended since, so the
    /// next batch carries them again with the heads they lead to.
    /// </summary>
    public void Requeue(OutboxBatch batch)
    {
        lock (_gate)
        {
            var back = new HashSet<StoredRecord>(batch.Records, ReferenceEqualityComparer.Instance);
            var entries = _lastTaken.Where(p => back.Contains(p.Record)).ToList();
            if (entries.Count != back.Count)
            {
                throw new InvalidOperationException("only records of the last batch taken can be put back");
            }

            _pending.InsertRange(0, entries);
            if (entries.Exists(p => p.Record.Lane == Lane.Alarm))
            {
                _urgent = true;
            }
        }
    }

    /// <summary>Payload bytes of the <paramref name="lane"/>'s records appended and not yet taken (what a commit is about to add to the outbox).</summary>
    public long PendingBytes(Lane lane)
    {
        lock (_gate)
        {
            long bytes = 0;
            foreach (var p in _pending)
            {
                if (p.Record.Lane == lane)
                {
                    bytes += p.Record.Payload.Length;
                }
            }

            return bytes;
        }
    }

    /// <summary>Records appended and not yet taken.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Takes what was appended since the last call (plus checkpoints now due) as one batch: at most
    /// <paramref name="maxRecords"/> records, the alarm lane's first, each lane in seq order, with
    /// the heads the records taken lead to (the rest waits for the next batch; a large batch under
    /// the free-space floor is committed as several transactions, see GroupCommitter).
    /// </summary>
    public OutboxBatch TakeBatch(out bool urgent, int maxRecords = int.MaxValue)
    {
        var batch = new OutboxBatch();
        lock (_gate)
        {
            foreach (var lane in _writers.Keys)
            {
                CheckpointIfDue(lane);
            }

            var taken = _pending.Count <= maxRecords ? [.. _pending]
                : _pending.Where(p => p.Record.Lane == Lane.Alarm).Concat(_pending.Where(p => p.Record.Lane != Lane.Alarm)).Take(maxRecords).ToList();
            foreach (var p in taken)
            {
                batch.Records.Add(p.Record);
                batch.Heads[p.Record.Lane] = p.After;
            }

            if (taken.Count == _pending.Count)
            {
                _pending.Clear();
            }
            else
            {
                var gone = new HashSet<Pending>(taken, ReferenceEqualityComparer.Instance);
                _pending.RemoveAll(gone.Contains);
            }

            _lastTaken = taken;
            urgent = _urgent;
            _urgent = _pending.Exists(p => p.Record.Lane == Lane.Alarm);
        }

        return batch;
    }

    public void Dispose()
    {
        Store.Dispose();
        _wake.Dispose();
    }

    /// <summary>
    /// Signs as soon as the cadence says so, not only at the next group commit: PROTOCOL §5 allows at
    /// most N records between checkpoints however many arrive within one commit interval. Caller holds the lock.
    /// </summary>
    private void CheckpointIfDue(Lane lane)
    {
        if (_writers[lane].CheckpointIfDue(Now, _clock.Current) is { } cp)
        {
            Add(cp, RecordClass.Keep);
        }
    }

    /// <param name="samples">the samples of an obs record, counted into the lane's <see cref="LaneCounts"/> by the commit that writes it</param>
    private void Add(ChainRecord record, RecordClass recordClass, int samples = 0)
    {
        _pending.Add(new Pending(new StoredRecord(record, recordClass, samples), _writers[record.Lane].State));
        _metrics.Records(record.Lane, record.Kind);
    }

    /// <summary>A record appended and not yet committed, with the head its lane has with it.</summary>
    private sealed record Pending(StoredRecord Record, ChainState After);
}
