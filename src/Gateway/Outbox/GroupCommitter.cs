namespace EdgeTwin.Gateway.Outbox;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Runtime;
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
/// and the held records committed again; nothing is published before it is committed. Any other
/// failed commit stops the gateway: the chain resumes from the last commit, and nothing that was not
/// committed has been published, so no seq is ever reused with different content.
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
    IFreeSpace? space = null) : BackgroundService
{
    private readonly IFreeSpace _space = space ?? FilesystemFreeSpace.Instance;
    private readonly ICommitListener[] _listeners = [.. listeners];
    /// <summary>Deletions one regular commit applies (several times a drain's rate at 10 commits a second).</summary>
    internal const int MaxDeletesPerCommit = 2048;

    /// <summary>
    /// Least deletions one commit applies under the free-space floor. A deletion rewrites its page,
    /// and every page a transaction touches goes through the write-ahead log first (data page and
    /// index page, 8 KiB each); evicted runs lie between kept vitals, so each deletion may touch pages
    /// of its own: 2048, and even 128, deletions in one commit grew the log past the 1.2-1.4 MB that
    /// the floor kept free on a 6 MB disk (the 16-bed test). Under the floor a commit therefore
    /// deletes as many as half the free space allows at 16 KiB each (<see cref="DeleteBudget"/>),
    /// at least this many: fewer deletions than records appended let the file grow after all.
    /// </summary>
    internal const int MaxDeletesUnderFloor = 16;

    /// <summary>How often a full outbox is tried again.</summary>
    internal static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private bool _failed;
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

        var start = time.GetTimestamp();
        var batch = book.TakeBatch(out var urgent);

        // An alarm's commit carries only records, and a regular commit at most MaxDeletesPerCommit
        // deletions, cut short as soon as an alarm is appended: during a backlog drain the PUBACK
        // deletions number thousands a second, and an alarm must never wait behind a long commit.
        // What a commit did not delete goes with the next ones.
        if (!urgent)
        {
            var budget = DeleteBudget();
            retention.MoveTo(batch, budget);
            batch.DeleteBudget = budget;
        }

        if (batch.IsEmpty)
        {
            return;
        }

        try
        {
            book.Store.Commit(batch, () => book.UrgentPending);
        }
        catch (OutboxUnavailableException ex)
        {
            EnterFull(batch, ex);
            return;
        }
        finally
        {
            retention.Return(batch);
        }

        metrics.Committed(time.GetElapsedTime(start));
        ledger.Deleted(batch.Delete.Take(batch.DeletesApplied));
        Published(batch.Records);

        // Quota and free-space floor: evictions append gap records, which the next commit writes with the deletions.
        evictor.EvictIfOverQuota();
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
    }

    /// <summary>
    /// At most every <see cref="RetryInterval"/>, and only once the filesystem has room again
    /// (<see cref="ResumeFreeBytes"/>, so that the alarm does not flap on a disk with a few pages
    /// free): reopens the store, drops from the held records those the failed commit wrote after all
    /// (its heads say so) and publishes them, then commits the rest. Only when that commit reaches the
    /// disk is the outbox available again: the observations not kept are then stated in a
    /// <c>storage-full</c> event that the next commit writes. True when commits may go on.
    /// </summary>
    private bool TryRecover()
    {
        if (time.GetTimestamp() < Interlocked.Read(ref _nextRetry))
        {
            return false;
        }

        Interlocked.Exchange(ref _nextRetry, time.GetTimestamp() + (long)(RetryInterval.TotalSeconds * time.TimestampFrequency));

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
        if (_space.Measure(book.Store.Directory) is { } fs && fs.Available < ResumeFreeBytes(fs.Total))
        {
            book.Requeue(batch);
            return false;
        }

        retention.MoveTo(batch, MaxDeletesUnderFloor);
        batch.DeleteBudget = MaxDeletesUnderFloor;
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

        ledger.Deleted(batch.Delete.Take(batch.DeletesApplied));
        Published(batch.Records);
        if (book.ResumeObservations() is { } notKept)
        {
            metrics.NotKept(notKept.Records, notKept.Samples);
            GatewayLog.StorageRecovered(logger, time.GetUtcNow() - notKept.Since, notKept.Records, notKept.Samples);
        }

        health.SetAvailable();
        return true;
    }

    private int DeleteBudget() =>
        evictor.Ceiling is null ? MaxDeletesPerCommit
        : (int)Math.Clamp((evictor.LastFree ?? 0) / 2 / (16 * 1024), MaxDeletesUnderFloor, MaxDeletesPerCommit);

    /// <summary>Free bytes a full outbox waits for before it tries again: a quarter of the floor, at least 64 KiB.</summary>
    private long ResumeFreeBytes(long total) => Math.Max(64 * 1024, options.Value.FloorBytes(total) / 4);
}
