namespace EdgeTwin.Gateway.Outbox;

using EdgeTwin.Gateway.Chains;
using EdgeTwin.Gateway.Configuration;
using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The only writer of the outbox: every <c>Outbox:CommitInterval</c> (at once for an alarm, and
/// when a checkpoint falls due) it commits the pending records, their heads and the deletions
/// asked for by the uplink in one durable transaction, then hands the records to the uplink.
/// A failed commit stops the gateway: the chain resumes from the last commit, and nothing that
/// was not committed has been published, so no seq is ever reused with different content.
/// </summary>
internal sealed class GroupCommitter(
    ChainBook book,
    IEnumerable<ICommitListener> listeners,
    Evictor evictor,
    RetentionRequests retention,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    GatewayMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<GroupCommitter> logger) : BackgroundService
{
    private readonly ICommitListener[] _listeners = [.. listeners];
    /// <summary>Deletions one regular commit applies (several times a drain's rate at 10 commits a second).</summary>
    internal const int MaxDeletesPerCommit = 2048;

    private readonly SemaphoreSlim _commitGate = new(1, 1);
    private bool _failed;
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
        var start = time.GetTimestamp();
        var batch = book.TakeBatch(out var urgent);

        // An alarm's commit carries only records, and a regular commit at most MaxDeletesPerCommit
        // deletions, cut short as soon as an alarm is appended: during a backlog drain the PUBACK
        // deletions number thousands a second, and an alarm must never wait behind a long commit.
        // What a commit did not delete goes with the next ones.
        if (!urgent)
        {
            retention.MoveTo(batch, MaxDeletesPerCommit);
            batch.DeleteBudget = MaxDeletesPerCommit;
        }

        if (batch.IsEmpty)
        {
            return;
        }

        try
        {
            book.Store.Commit(batch, () => book.UrgentPending);
        }
        finally
        {
            retention.Return(batch);
        }

        metrics.Committed(time.GetElapsedTime(start));
        if (batch.Records.Count > 0)
        {
            foreach (var listener in _listeners)
            {
                listener.OnCommitted(batch.Records);
            }
        }

        // Quota: evictions append gap records, which the next commit writes with the deletions.
        evictor.EvictIfOverQuota();
    }
}
