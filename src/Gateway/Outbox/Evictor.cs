namespace EdgeTwin.Gateway.Outbox;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Keeps the telemetry lane under <c>Outbox:TelemetryQuotaBytes</c>, and the data directory's
/// filesystem above its free-space floor (<c>Outbox:MinFreeBytes</c>, <c>MinFreePercent</c>): drops the oldest unsent
/// waveform runs first, then vitals, each run stated in a signed <c>gap</c> record (PROTOCOL §4).
/// Genesis and events are kept; the alarm lane is never evicted. Earlier gap and checkpoint records
/// (never sent) go with the records around them, their statements absorbed by the new gap
/// (<see cref="EvictionStretches"/>), so that they do not pile up. Deletions are applied over several
/// commits, so bytes already asked to leave count as freed, and a record is evicted at most once:
/// never two gaps for the same seqs.
/// A gap says "dropped unsent", so the <see cref="PublishLedger"/> decides with the uplink which
/// records may be named: never one the uplink has handed to the broker while unsent ones remain in
/// the window, and once named, never published afterwards (the uplink skips it). Only when unsent
/// records cannot make the room are published records that no receipt (with receipts off, no
/// PUBACK) covers yet evicted, behind gaps whose reason says so (<c>disk-space-unreceipted</c>,
/// <c>quota-unreceipted</c>: the cloud may hold some of them). Records PUBACKed with receipts off
/// are leaving anyway and are never named.
/// The floor works as a ceiling on the telemetry bytes held: LiteDB reuses the pages of deleted
/// records but never gives them back to the filesystem, so free space does not rise after an
/// eviction; the ceiling is set the first time free space is under the floor (what is held, less
/// the shortfall) and lowered only as far as free space shrinks further, and it is lifted when
/// free space is back over the floor by half as much again (someone made room). The
/// <see cref="StorageReserve"/> counts as free: it is room the gateway gives up when the disk fills;
/// and the ceiling is never under the reserve's size: an outbox smaller than that cannot make the
/// room the floor asks for by evicting, and the reserve covers it (on a disk another process filled,
/// a small outbox is not evicted for nothing).
/// Called on the group committer's thread only.
/// </summary>
internal sealed class Evictor(ChainBook book, RetentionRequests retention, PublishLedger ledger, IOptions<OutboxOptions> options, GatewayMetrics metrics, ILogger<Evictor> logger,
    IFreeSpace? space = null, StorageReserve? reserve = null)
{
    /// <summary>The reason suffix of a gap naming records that were published before a receipt covered them.</summary>
    public const string UnreceiptedSuffix = "-unreceipted";

    private const int ScanWindow = 8192;
    private readonly IFreeSpace _space = space ?? FilesystemFreeSpace.Instance;
    private long? _ceiling;
    private long _freeAtCeiling;
    private long _lastTotal;

    /// <summary>The telemetry bytes the free-space floor allows now (null: the floor is not binding).</summary>
    internal long? Ceiling => _ceiling;

    /// <summary>The filesystem at the last measurement (null: not measured).</summary>
    internal FilesystemSpace? LastSpace { get; private set; }

    /// <summary>
    /// Evicts what the quota and the floor ask for, counting <paramref name="arriving"/> payload bytes
    /// (records about to be committed) as held already: under the floor a pile of records must not
    /// reach the outbox's files before the deletions that make its room.
    /// </summary>
    public void EvictIfOverQuota(long arriving = 0)
    {
        var quota = options.Value.TelemetryQuotaBytes;
        var usage = book.Store.Usage(Lane.Telemetry);
        var held = usage.Bytes - retention.PendingBytes(Lane.Telemetry) + arriving;
        var free = UpdateCeiling(held);
        var forSpace = _ceiling is { } ceiling && ceiling < quota;
        if (forSpace)
        {
            quota = Math.Max(0, _ceiling!.Value);
        }

        var min = book.Store.MinSeq(Lane.Telemetry);
        if (min is { } lowest)
        {
            ledger.ForgetBelow(lowest);
        }

        if (held <= quota || min is null)
        {
            return;
        }

        // Free a tenth of the limit (of what is held, under the floor) beyond the excess so eviction does not run at every commit.
        var toFree = held - quota + ((forSpace ? held : quota) / 10);
        var window = book.Store.Read(Lane.Telemetry, min.Value, book.Head(Lane.Telemetry).Seq, ScanWindow);
        var reason = forSpace ? "disk-space" : "quota";
        foreach (var tier in new[] { PublishLedger.Standing.Unsent, PublishLedger.Standing.Published })
        {
            // Records already named by a gap, or leaving after their PUBACK, are no candidates; stretches never mix the tiers.
            // Vitals go only when no waveform is left in the window (the waveform level returns once it has made the room).
            var published = tier == PublishLedger.Standing.Published;
            foreach (var (level, what) in new[] { (RecordClass.Waveform, "waveform"), (RecordClass.Vital, "vital") })
            {
                var standing = ledger.Classify(window);
                foreach (var found in EvictionStretches.Find(window, standing, tier, level, absorb: !published))
                {
                    if (toFree <= 0)
                    {
                        return;
                    }

                    var stretch = EvictionStretches.Cut(found, toFree);
                    var last = stretch.Last;
                    if (!ledger.TryEvict(stretch.Runs(), published))
                    {
                        continue; // handed to the broker meanwhile: no longer unsent
                    }

                    var stated = published ? reason + UnreceiptedSuffix : reason;
                    var gap = book.AppendGap(Lane.Telemetry, stretch.From, last.Seq, stretch.FirstPrev, last.Hash, stated);
                    foreach (var r in stretch.Held)
                    {
                        retention.Delete(Lane.Telemetry, r.Seq, r.Payload.Length);
                    }

                    // The gap statement is held in place of the stretch.
                    toFree -= stretch.Bytes - gap.Payload.Length;
                    metrics.Evicted(stretch.DataRecords, what);
                    if (forSpace)
                    {
                        GatewayLog.EvictedForSpace(logger, free ?? 0, options.Value.FloorBytes(_lastTotal), stretch.DataRecords, what, stretch.From, last.Seq, stated, stretch.Absorbed);
                    }
                    else
                    {
                        GatewayLog.Evicted(logger, usage.Bytes, quota, stretch.DataRecords, what, stretch.From, last.Seq, stated, stretch.Absorbed);
                    }
                }
            }
        }
    }

    /// <summary>Measures the filesystem and moves the ceiling (see the class); returns the free bytes measured.</summary>
    private long? UpdateCeiling(long held)
    {
        if (options.Value.MinFreeBytes <= 0 || options.Value.MinFreePercent <= 0 || _space.Measure(book.Store.Directory) is not { } fs)
        {
            _ceiling = null;
            LastSpace = null;
            return null;
        }

        _lastTotal = fs.Total;
        LastSpace = fs;
        var free = fs.Available + (reserve?.HeldBytes ?? 0);
        var floor = options.Value.FloorBytes(fs.Total);
        var least = reserve?.SizeFor(fs.Total) ?? 0;
        if (free < floor)
        {
            if (_ceiling is null)
            {
                _ceiling = Math.Max(least, held - (floor - free));
                _freeAtCeiling = free;
            }
            else if (free < _freeAtCeiling)
            {
                _ceiling = Math.Max(least, _ceiling.Value - (_freeAtCeiling - free));
                _freeAtCeiling = free;
            }
        }
        else if (free >= floor + (floor / 2))
        {
            _ceiling = null;
        }

        return free;
    }
}
