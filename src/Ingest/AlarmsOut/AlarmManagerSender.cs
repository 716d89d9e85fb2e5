namespace EdgeTwin.Ingest.AlarmsOut;

using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.Alerts;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

/// <summary>
/// Drains one alarm manager's queue in order: each message is sent and tried again (Polly retry,
/// exponential with jitter, on the injected clock) until the manager's MLLP ACK says AA/CA; every
/// attempt has a deadline (connect, write, answer). AR/CR: recorded as rejected, alerted, not sent
/// again. AE/CE: tried again up to <see cref="AlarmsOutOptions.MaxErrorAnswers"/>, then recorded as
/// failed and alerted. The next message waits for the one before it. A head message unacknowledged
/// for <see cref="AlarmsOutOptions.UnreachableAfter"/> raises <c>alarm-manager-unreachable</c>.
/// A message is marked <c>sent</c> before each attempt; whatever is not acked when the ingest
/// stops is sent again by the next run (the manager drops a control id it already has). With
/// several workers on one store only the holder of the manager's lease sends.
/// </summary>
internal sealed class AlarmManagerSender
{
    private const int Take = 64;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private readonly AlarmManagerOptions _manager;
    private readonly AlarmsOutOptions _options;
    private readonly IIngestStore _store;
    private readonly IAlarmOutStore _queue;
    private readonly AlarmQueue _signal;
    private readonly AlertPublisher _alerts;
    private readonly AlarmsOutMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MllpConnection _connection;
    private readonly ResiliencePipeline _retry;
    private DateTimeOffset? _failingSince;
    private bool _down;
    private string _lastError = "";
    private long _acked;
    private AcmMessageRow? _head;
    private bool _waitingLogged;

    public AlarmManagerSender(AlarmManagerOptions manager, AlarmsOutOptions options, IIngestStore store, AlarmQueue signal, AlertPublisher alerts, AlarmsOutMetrics metrics, TimeProvider time, ILogger logger)
    {
        _manager = manager;
        _options = options;
        _store = store;
        _queue = (IAlarmOutStore)store;
        _signal = signal;
        _alerts = alerts;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _connection = new MllpConnection(manager.Host, manager.Port, options.MaxFrameBytes, options.SendTimeout, time);
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && ex is not OperationCanceledException),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.RetryMaxDelay,
            })
            .Build();
    }

    /// <summary>Messages answered AA/CA by this sender since it started (tests wait on it).</summary>
    public long Acked => Interlocked.Read(ref _acked);

    public async Task RunAsync(CancellationToken ct)
    {
        IAcmLease? lease = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var wake = _signal.NextCommit;
                IReadOnlyList<AcmMessageRow> batch;
                try
                {
                    lease = await LeaseAsync(lease, ct).ConfigureAwait(false);
                    if (lease is null)
                    {
                        // Another worker sends to this manager; take over if it goes away.
                        await Task.Delay(Poll, _time, ct).ConfigureAwait(false);
                        continue;
                    }

                    batch = await _queue.AcmOutstandingAsync(_manager.Name, Take, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The store is unavailable: nothing is lost (the queue is in it); look again shortly.
                    AlarmsOutLog.QueueUnreadable(_logger, _manager.Name, ex.Message);
                    await Task.Delay(Poll, _time, ct).ConfigureAwait(false);
                    continue;
                }

                if (batch.Count == 0)
                {
                    // Another worker's commits (PostgreSQL) are not signalled here: look again after a while.
                    await Task.WhenAny(wake, Task.Delay(Poll, _time, ct)).ConfigureAwait(false);
                    continue;
                }

                foreach (var message in batch)
                {
                    await DeliverAsync(message, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: what is not acked stays queued for the next run.
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            if (lease is not null)
            {
                await lease.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The lease still held, or a new one; null while another worker holds it. Logged when it changes hands.</summary>
    private async Task<IAcmLease?> LeaseAsync(IAcmLease? held, CancellationToken ct)
    {
        if (held is not null)
        {
            if (await held.StillHeldAsync(ct).ConfigureAwait(false))
            {
                return held;
            }

            await held.DisposeAsync().ConfigureAwait(false);
            _connection.Close();
            AlarmsOutLog.LeaseLost(_logger, _manager.Name);
        }

        var lease = await _queue.TryLeaseAcmAsync(_manager.Name, ct).ConfigureAwait(false);
        if (lease is not null)
        {
            AlarmsOutLog.LeaseTaken(_logger, _manager.Name);
        }
        else if (!_waitingLogged)
        {
            AlarmsOutLog.LeaseElsewhere(_logger, _manager.Name);
        }

        _waitingLogged = lease is null;
        return lease;
    }

    private async Task DeliverAsync(AcmMessageRow message, CancellationToken ct)
    {
        if (message.Status == AcmMessageRow.Sent)
        {
            _metrics.Message(_manager.Name, "resent");
            AlarmsOutLog.Resending(_logger, _manager.Name, message.ControlId, message.Attempts);
        }

        _head = message;
        await _retry.ExecuteAsync(async token =>
        {
            try
            {
                await AttemptAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                // The attempt's own deadline, not a stop: a failure like any other, tried again.
                var timeout = new TimeoutException($"no answer within {_options.SendTimeout}");
                await FailedAsync(_head, timeout, token).ConfigureAwait(false);
                throw timeout;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await FailedAsync(_head, ex, token).ConfigureAwait(false);
                throw;
            }
        }, ct).ConfigureAwait(false);
    }

    /// <summary>One try of the head message; returns when an answer ends its sending, throws when it is to be tried again.</summary>
    private async Task AttemptAsync(CancellationToken ct)
    {
        var message = _head! with { Status = AcmMessageRow.Sent, Attempts = _head.Attempts + 1, LastAttemptAt = _time.GetUtcNow() };
        await _queue.UpdateAcmMessageAsync(message, ct).ConfigureAwait(false);
        _head = message;
        AckAnswer answer;
        using (var deadline = new CancellationTokenSource(_options.SendTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token))
        {
            var text = await _connection.ExchangeAsync(message.Message, linked.Token).ConfigureAwait(false);
            answer = AckAnswer.Read(text, message.ControlId);
        }

        var now = _time.GetUtcNow();
        switch (answer.Code)
        {
            case AckCode.Accept:
                message = message with { Status = AcmMessageRow.Acked, DoneAt = now, Detail = answer.Text.Length == 0 ? null : answer.Text };
                await _queue.UpdateAcmMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
                Interlocked.Increment(ref _acked);
                _metrics.Message(_manager.Name, "acked");
                _metrics.Delivered(_manager.Name, now - message.QueuedAt);
                AlarmsOutLog.Acked(_logger, _manager.Name, _connection.Endpoint, message.ControlId, message.AlertId, message.Attempts);
                Recovered();
                return;
            case AckCode.Reject:
                message = message with { Status = AcmMessageRow.Rejected, DoneAt = now, Detail = $"AR: {answer.Text}" };
                await _queue.UpdateAcmMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
                _metrics.Message(_manager.Name, "rejected");
                AlarmsOutLog.Rejected(_logger, _manager.Name, message.ControlId, message.AlertId, answer.Text);
                await AlertAsync(AlertKind.AlarmManagerRejected, message, $"alarm manager {_manager.Name} rejected {message.ControlId} (alert {message.AlertId}): {answer.Text}").ConfigureAwait(false);
                Recovered();
                return;
            default:
                message = message with { ErrorAnswers = message.ErrorAnswers + 1, Detail = $"AE: {answer.Text}" };
                _metrics.Message(_manager.Name, "error");
                AlarmsOutLog.ErrorAnswer(_logger, _manager.Name, message.ControlId, message.ErrorAnswers, _options.MaxErrorAnswers, answer.Text);
                if (message.ErrorAnswers >= _options.MaxErrorAnswers)
                {
                    message = message with { Status = AcmMessageRow.Failed, DoneAt = now };
                    await _queue.UpdateAcmMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
                    _metrics.Message(_manager.Name, "failed");
                    await AlertAsync(AlertKind.AlarmManagerRejected, message, $"alarm manager {_manager.Name} answered {message.ControlId} (alert {message.AlertId}) with AE {message.ErrorAnswers} times: {answer.Text}; given up").ConfigureAwait(false);
                    Recovered();
                    return;
                }

                await _queue.UpdateAcmMessageAsync(message, CancellationToken.None).ConfigureAwait(false);
                _head = message;
                throw new AnswerError(answer.Text);
        }
    }

    /// <summary>Counts and logs a failed attempt; past <see cref="AlarmsOutOptions.UnreachableAfter"/> raises the alert once per episode.</summary>
    private async Task FailedAsync(AcmMessageRow? head, Exception error, CancellationToken ct)
    {
        var message = head!;
        var reason = error switch
        {
            TimeoutException => "timeout",
            AnswerError => "error-answer",
            Hl7FormatException => "invalid-answer",
            _ => "connection",
        };
        _lastError = $"{reason}: {error.Message}";
        _metrics.SendFailed(_manager.Name, reason);
        AlarmsOutLog.SendFailed(_logger, _manager.Name, message.ControlId, _lastError, message.Attempts);
        var now = _time.GetUtcNow();
        _failingSince ??= message.LastAttemptAt ?? now;
        if (!_down && now - _failingSince >= _options.UnreachableAfter)
        {
            _down = true;
            _metrics.Down(_manager.Name, true);
            AlarmsOutLog.Unreachable(_logger, _manager.Name, _connection.Endpoint, message.ControlId, message.AlertId, message.Gw, _failingSince.Value, _lastError);
            await AlertAsync(AlertKind.AlarmManagerUnreachable, message,
                $"alarm manager {_manager.Name} ({_connection.Endpoint}) has not acknowledged {message.ControlId} (alert {message.AlertId}) since {_failingSince:O}: {_lastError}").ConfigureAwait(false);
        }

        ct.ThrowIfCancellationRequested();
    }

    private void Recovered()
    {
        _failingSince = null;
        if (_down)
        {
            _down = false;
            _metrics.Down(_manager.Name, false);
            AlarmsOutLog.Reachable(_logger, _manager.Name);
        }
    }

    private async Task AlertAsync(string kind, AcmMessageRow message, string detail)
    {
        var alert = new AlertRow(_time.GetUtcNow(), kind, message.Gw, null, null, null, detail);
        await _store.AddAlertAsync(alert, CancellationToken.None).ConfigureAwait(false);
        _alerts.Published([alert]);
    }
}
