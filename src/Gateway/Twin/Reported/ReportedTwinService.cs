namespace EdgeTwin.Gateway.Twin.Reported;

using EdgeTwin.Hosting;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Wire;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// Restores the twin at start, then publishes the reported document retained whenever its content
/// (state and heads) changed: at most once per <see cref="TwinOptions.ReportInterval"/>, at once
/// when an alarm state changed or a command was applied or refused. Each new content gets
/// <c>version</c> + 1, persisted before it is published so the version never goes backwards. A
/// document the uplink could not take is tried again on the next tick; one too large to sign
/// (over the 64 KiB of a signed document) is not published, logged (5012, at most every 10 minutes).
/// </summary>
internal sealed class ReportedTwinService(
    TwinController controller,
    IReportedPublisher publisher,
    IUplinkStateSource uplink,
    IEnumerable<IDeviceHealthSource> health,
    ReportSignal signal,
    TwinIdentity identity,
    IOptions<TwinOptions> options,
    TimeProvider time,
    ILogger<ReportedTwinService> logger,
    IModelStatusSource? model = null) : BackgroundService
{
    private readonly LogThrottle _tooLarge = new(time, TimeSpan.FromMinutes(10));
    private string? _versionedContent;
    private string? _publishedContent;
    private long _version;
    private DateTimeOffset? _lastAttempt;

    /// <summary>Restore before the host reports started, so nothing observes an empty twin.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await controller.StartAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publishes the current twin if its content changed since the last publication.</summary>
    internal async Task PublishIfChangedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var twin = controller.Twin;
        var snapshot = twin.Snapshot();
        var (state, heads) = ReportedDocument.Content(snapshot, twin.Control, uplink.Read(), now, model?.Status);
        var content = state.ToJsonString() + heads.ToJsonString();
        if (string.Equals(content, _publishedContent, StringComparison.Ordinal))
        {
            return;
        }

        _lastAttempt = now;

        // A document too large to sign (a gateway with hundreds of devices) is not published and gets
        // no version; the cloud keeps the last one it has. Sized with the version it would get.
        var length = SignedEnvelope.SealedLength(ReportedDocument.Serialize(identity.Gateway, twin.Control.ReportedVersion + 1, now, state, heads));
        if (length > Limits.MaxEnvelopeBytes)
        {
            if (_tooLarge.ShouldLog("too-large", out var suppressed))
            {
                TwinLog.ReportTooLarge(logger, length, Limits.MaxEnvelopeBytes, snapshot.Devices.Length, suppressed);
            }

            return;
        }

        var newVersion = !string.Equals(content, _versionedContent, StringComparison.Ordinal);
        _version = await controller.PersistReportAsync(newVersion, options.Value.BindingRetention, cancellationToken).ConfigureAwait(false);
        _versionedContent = content;
        var document = ReportedDocument.Serialize(identity.Gateway, _version, now, state, heads);
        if (await publisher.PublishReportedAsync(document, cancellationToken).ConfigureAwait(false))
        {
            _publishedContent = content;
        }
        else
        {
            TwinLog.ReportDeferred(logger, _version);
        }
    }

    /// <summary>
    /// One turn of the loop: publishes when an urgent request came or the interval since the last
    /// attempt has passed, and returns how long to wait for the next turn.
    /// </summary>
    internal async Task<TimeSpan> StepAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.ReportInterval;
        var urgent = signal.TakeUrgent();
        if (urgent || _lastAttempt is not { } last || time.GetUtcNow() - last >= interval)
        {
            foreach (var source in health)
            {
                source.Poll();
            }

            await controller.FlushEventsAsync(cancellationToken).ConfigureAwait(false);
            await PublishIfChangedAsync(cancellationToken).ConfigureAwait(false);
        }

        var now = time.GetUtcNow();
        return _lastAttempt is { } attempt && attempt + interval > now ? attempt + interval - now : interval;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await StepAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                TwinLog.ReportFailed(logger, e);
                _lastAttempt = time.GetUtcNow();
                wait = options.Value.ReportInterval;
            }

            await signal.WaitAsync(wait, time, stoppingToken).ConfigureAwait(false);
        }
    }
}
