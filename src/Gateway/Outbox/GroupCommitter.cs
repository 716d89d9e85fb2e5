namespace EdgeTwin.Gateway.Outbox;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Runtime;
using EdgeTwin.Gateway.Storage;
using EdgeTwin.Outbox;
using EdgeTwin.Outbox.Durability;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The only writer of the outbox: every <c>Outbox:CommitInterval</c> (at once for an alarm, and
/// when a checkpoint falls due) it commits the pending records, their heads and the deletions
/// asked for by the uplink in one durable transaction, then hands the records to the uplink.
/// A commit that fails for lack of space does not stop the gateway (a full disk must never silence
/// the bedside): the batch goes back to the book, observations are counted instead of chained
/// (<see cref="ChainBook.HoldObservations"/>), <see cref="StorageHealth"/> says full (the
/// <c>storage-full</c> technical alarm), and every <see cref="RetryInterval"/> the store is reopened
/// and the held records committed again; nothing is published before it is committed. When the
/// outbox holds telemetry to evict, the <see cref="StorageReserve"/> is released at once so that it
/// can (a disk the outbox filled itself stays full otherwise: LiteDB gives no pages back). Under the
/// free-space floor what is pending goes in transactions of bounded size (<see cref="Limits"/>), so
/// that no one write-ahead log outgrows the room left. Any other failed commit stops the gateway:
/// the chain resumes from the last commit, and nothing that was not committed has been published, so
/// no seq is ever reused with different content.
/// </summary>
internal sealed class GroupCommitter(
    ChainBook book,
    IEnumerable<ICommitListener> listeners,
    Evictor evictor,
    RetentionRequests retention,
    PublishLedger ledger,
    StorageHealth health,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    GatewayMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<GroupCommitter> logger,
    IFreeSpace? space = null,
    StorageReserve? reserve = null,
    FirstStartFiles? firstStart = null) : BackgroundService
{
    private readonly IFreeSpace _space = space ?? FilesystemFreeSpace.Instance;
    private readonly ICommitListener[] _listeners = [.. listeners];
    /// <summary>Deletions one regular commit applies (several times a drain's rate at 10 commits a second).</summary>
    internal const int MaxDeletesPerCommit = 2048;

    /// <summary>
    /// Least records and least deletions one transaction carries under the free-space floor (see
    /// <see cref="Limits"/>); also the deletions of the commit that ends a full episode.
    /// </summary>
    internal const int MaxDeletesUnderFloor = 16;

    /// <summary>Most transactions one round makes under the floor for deletions alone (records pending always go).</summary>
    internal const int MaxTransactionsUnderFloor = 8;

    /// <summary>Write-ahead log of a transaction however small (header, collection and lane pages): measured about 40 KiB.</summary>
    internal const long CommitLogBytes = 40 * 1024;

    /// <summary>
    /// Write-ahead log per record inserted or deleted under the floor, at most: every page a
    /// transaction touches goes through the log first, and once eviction has scattered free slots
    /// over the file each insert and each deletion may touch a page of its own (measured 16 beds on
    /// 6 MB: about 5 KiB an insert and 6.5 KiB a deletion).
    /// </summary>
    internal const long PageLogBytes = 8 * 1024;

    /// <summary>ENOSPC, the errno of a full disk.</summary>
    private const int NoSpace = 28;

    /// <summary>How often a full outbox is tried again.</summary>
    internal static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private bool _failed;
    private long _publishedVersion;
    private long _nextRetry;
    private long _lastLoop = time.GetTimestamp();

    /// <summary>How long ago the commit loop last came round (the watchdog's liveness signal).</summary>
    public TimeSpan SinceLastLoop => time.GetElapsedTime(Interlocked.Read(ref _lastLoop));

    /// <summary>Commits whatever is pending now (graceful stop, tests).</summary>
    public async Task CommitNowAsync(CancellationToken cancellationToken)
    {
        await _commitGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            CommitOnce();
        }
        finally
        {
            _commitGate.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!_failed)
        {
            await CommitNowAsync(cancellationToken).ConfigureAwait(false);
            GatewayLog.FinalCommit(logger, book.Head(Lane.Telemetry).Seq, book.Head(Lane.Alarm).Seq);
        }
    }

    /// <summary>
    /// The commit loop runs on a thread of its own: a commit blocks for milliseconds (LiteDB, fsync),
    /// and blocking pool threads on a two-core box starves MQTTnet's PUBACK handling and the alarm
    /// path (seen as 200 ms alarm latencies during a backlog drain, docs/benchmarks.md "Alarms").
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        OwnThread.Run("edgetwin-outbox-commit", () =>
        {
            Loop(stoppingToken);
            return true;
        });

    private void Loop(CancellationToken stoppingToken)
    {
        var interval = options.Value.CommitInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = interval;
                if (book.NextCheckpointDue is { } due)
                {
                    var untilDue = due - time.GetUtcNow();
                    wait = untilDue < wait ? (untilDue > TimeSpan.Zero ? untilDue : TimeSpan.Zero) : wait;
                }

                if (wait > TimeSpan.Zero)
                {
                    WaitForWork(wait, stoppingToken);
                    if (stoppingToken.IsCancellationRequested)
                    {
                        break;
                    }
                }

                _commitGate.Wait(stoppingToken);
                try
                {
                    CommitOnce();
                }
                finally
                {
                    _commitGate.Release();
                }

                Interlocked.Exchange(ref _lastLoop, time.GetTimestamp());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _failed = true;
            GatewayLog.CommitFailed(logger, ex);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    /// <summary>Blocks until an alarm wakes the loop, <paramref name="wait"/> passes on the clock, or stopping.</summary>
    private void WaitForWork(TimeSpan wait, CancellationToken stoppingToken)
    {
        if (time == TimeProvider.System)
        {
            // A kernel timeout: a timer would need a pool thread to fire.
            WaitHandle.WaitAny([book.Wake, stoppingToken.WaitHandle], wait);
            return;
        }

        using var timeout = new CancellationTokenSource(wait, time);
        WaitHandle.WaitAny([book.Wake, timeout.Token.WaitHandle, stoppingToken.WaitHandle]);
    }

    private void CommitOnce()
    {
        if (health.Full && !TryRecover())
        {
            return;
        }

        // A first start on a full disk: nothing is committed before the keys it is signed and
        // encrypted with (and the site secret its pseudonyms come from) are on disk.
        if (firstStart is { AllWritten: false } && !firstStart.TryWriteAll())
        {
            EnterFull(book.TakeBatch(out _), new OutboxUnavailableException(
                "the keys a first start writes are not on disk yet", new IOException("No space left on device (the keys a first start writes are kept in memory)", NoSpace)));
            return;
        }

        // Under the floor, and on the way out of a full episode, the room for what is pending is made
        // before it goes in (after an alarm's transaction, and after the first transaction that ends
        // the episode: neither waits for it, and no observation is counted as not kept meanwhile): the
        // evictor counts it as held and asks for the deletions, which go with the same transactions.
        // Otherwise a pile (a box stalled for seconds, the records held through a full episode) went
        // into the outbox's files ahead of its evictions, grew them into the room a released reserve
        // had made, and the disk was full again with no reserve left (seen in CI under CPU load).
        var makeRoom = evictor.Ceiling is not null || health.Full;
        // An alarm's commit carries only records, and a regular commit at most MaxDeletesPerCommit
        // deletions, cut short as soon as an alarm is appended: during a backlog drain the PUBACK
        // deletions number thousands a second, and an alarm must never wait behind a long commit.
        // What a commit did not delete goes with the next ones. Under the floor what is pending goes
        // in several transactions, each within what the free space leaves its log, and waiting
        // deletions (a drain's PUBACKs) get up to MaxTransactionsUnderFloor of them.
        var left = book.PendingCount;
        for (var transactions = 1; ; transactions++)
        {
            if (makeRoom && !health.Full && !book.UrgentPending && book.PendingCount > 0)
            {
                makeRoom = false;
                evictor.EvictIfOverQuota(book.PendingBytes(Lane.Telemetry));
                left = book.PendingCount; // the gaps go too
            }

            var (maxRecords, maxDeletes) = Limits();
            var batch = book.TakeBatch(out var urgent, maxRecords);
            left -= batch.Records.Count;
            if (!urgent)
            {
                retention.MoveTo(batch, maxDeletes);
                batch.DeleteBudget = maxDeletes;
            }

            var published = ledger.PublishedSince(_publishedVersion);
            if (published is { } p)
            {
                batch.Published[Lane.Telemetry] = p.Ranges;
            }

            if (batch.IsEmpty)
            {
                if (health.Full)
                {
                    Recovered(); // reopened with room, and nothing was held
                }

                break;
            }

            var recovering = health.Full;
            if (!Commit(batch))
            {
                break;
            }

            _publishedVersion = published?.Version ?? _publishedVersion;

            if (recovering)
            {
                left = book.PendingCount; // the storage-full event goes too
            }

            if (left <= 0 && (maxRecords == int.MaxValue || retention.IsEmpty || transactions >= MaxTransactionsUnderFloor))
            {
                break;
            }
        }

        if (health.Full)
        {
            return;
        }

        // Quota and free-space floor: evictions append gap records, which the next commit writes with the deletions.
        evictor.EvictIfOverQuota();
        if (evictor.LastSpace is { } fs)
        {
            reserve?.MakeIfRoom(fs);
        }
    }

    /// <summary>Commits one batch; false when it failed for lack of space (the outbox is full now).</summary>
    private bool Commit(OutboxBatch batch)
    {
        var start = time.GetTimestamp();
        try
        {
            book.Store.Commit(batch, () => book.UrgentPending);
        }
        catch (OutboxUnavailableException ex)
        {
            EnterFull(batch, ex);
            return false;
        }
        finally
        {
            retention.Return(batch);
        }

        metrics.Committed(time.GetElapsedTime(start));
        ledger.Deleted(batch.Delete.Take(batch.DeletesApplied));
        Published(batch.Records);
        if (health.Full)
        {
            Recovered();
        }

        return true;
    }

    private void Published(List<StoredRecord> records)
    {
        if (records.Count > 0)
        {
            foreach (var listener in _listeners)
            {
                listener.OnCommitted(records);
            }
        }
    }

    /// <summary>A commit failed for lack of space: hold its records (and count new observations) until one succeeds.</summary>
    private void EnterFull(OutboxBatch batch, OutboxUnavailableException ex)
    {
        book.Requeue(batch);
        book.HoldObservations("disk-full");
        var first = !health.Full;
        health.SetFull(time.GetUtcNow(), ex.InnerException?.Message ?? ex.Message);
        metrics.StorageFull(first);
        Interlocked.Exchange(ref _nextRetry, time.GetTimestamp() + (long)(RetryInterval.TotalSeconds * time.TimestampFrequency));
        if (first)
        {
            GatewayLog.StorageFull(logger, book.Store.Directory, batch.Records.Count, ex.InnerException ?? ex);
        }

        // With telemetry of its own to evict, the outbox can go on within its files once the
        // evictions' deletions are committed: the reserve's room is for that, and it is tried at once.
        // (What the files hold counts, deletions asked for included: they are what needs the room.)
        var held = book.Store.Usage(Lane.Telemetry).Bytes;
        if (reserve is { HeldBytes: > 0 } r && held >= r.HeldBytes
            && r.Release($"a commit failed for lack of space; the outbox ({held} bytes of telemetry) evicts its way out within its own files"))
        {
            Interlocked.Exchange(ref _nextRetry, time.GetTimestamp());
        }
    }

    /// <summary>
    /// At most every <see cref="RetryInterval"/> (at once after the reserve was released): reopens the
    /// store, drops from the held records those the failed commit wrote after all (its heads say so)
    /// and publishes them, and puts the rest back. True when the filesystem has room again
    /// (<see cref="ResumeFreeBytes"/>, so that the alarm does not flap on a disk with a few pages
    /// free): the held records are then committed like any others, in transactions of bounded size
    /// under the floor, and only when the first reaches the disk is the outbox available again
    /// (<see cref="Recovered"/>: the observations not kept are stated in a <c>storage-full</c> event
    /// that a later commit writes).
    /// </summary>
    private bool TryRecover()
    {
        if (time.GetTimestamp() < Interlocked.Read(ref _nextRetry))
        {
            return false;
        }

        Interlocked.Exchange(ref _nextRetry, time.GetTimestamp() + (long)(RetryInterval.TotalSeconds * time.TimestampFrequency));

        // The keys of a first start go to the disk before the outbox is created with them.
        if (firstStart is not null && !firstStart.TryWriteAll())
        {
            return false;
        }

        // Reopened whatever the free space: the failed commit's torn log pages are the outbox's own
        // bytes, and LiteDB's recovery at open gives them back (a 6 MB disk the gateway itself had
        // filled stayed full otherwise).
        if (!book.Store.TryReopen(out _))
        {
            return false;
        }

        var heads = book.Store.Heads;
        var batch = book.TakeBatch(out _);
        var written = batch.Records.Where(r => heads.TryGetValue(r.Lane, out var h) && r.Seq <= h.Seq).ToList();
        batch.Records.RemoveAll(r => heads.TryGetValue(r.Lane, out var h) && r.Seq <= h.Seq);
        Published(written);
        book.Requeue(batch);
        return _space.Measure(book.Store.Directory) is not { } fs || fs.Available >= ResumeFreeBytes(fs.Total);
    }

    /// <summary>A commit reached the disk after a full episode: the observations not kept are stated, and the outbox is available again.</summary>
    private void Recovered()
    {
        if (book.ResumeObservations() is { } notKept)
        {
            metrics.NotKept(notKept.Records, notKept.Samples);
            GatewayLog.StorageRecovered(logger, time.GetUtcNow() - notKept.Since, notKept.Records, notKept.Samples);
        }

        health.SetAvailable();
    }

    /// <summary>
    /// Records and deletions one transaction takes. Above the floor: every record pending, and at
    /// most <see cref="MaxDeletesPerCommit"/> deletions. Under it, or while the outbox is full: half of what is free now (the reserve
    /// not counted) is the log's, at <see cref="CommitLogBytes"/> a transaction and
    /// <see cref="PageLogBytes"/> a record inserted or deleted, shared evenly (at least
    /// <see cref="MaxDeletesUnderFloor"/> each), so that deletions keep pace with what is appended
    /// however slowly the box commits (a 20 %-CPU box committed 489 records at once and filled 6 MB).
    /// </summary>
    internal (int Records, int Deletes) Limits()
    {
        // Measured now, not at the evictor's last look: the disk may have filled since (or the reserve
        // been released). A full episode ends the same way: its first transactions fit the room there is.
        if ((evictor.Ceiling is null && !health.Full) || _space.Measure(book.Store.Directory) is not { Available: var free })
        {
            return (int.MaxValue, MaxDeletesPerCommit);
        }

        var operations = (int)Math.Clamp(((free / 2) - CommitLogBytes) / PageLogBytes, 2 * MaxDeletesUnderFloor, MaxDeletesPerCommit);
        var records = Math.Max(MaxDeletesUnderFloor, operations / 2);
        return (records, Math.Max(MaxDeletesUnderFloor, operations - records));
    }

    /// <summary>Free bytes a full outbox waits for before it tries again: an eighth of the floor, at least 64 KiB (the reserve is a quarter).</summary>
    private long ResumeFreeBytes(long total) => Math.Max(64 * 1024, options.Value.FloorBytes(total) / 8);
}
