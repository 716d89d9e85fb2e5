namespace EdgeTwin.Ingest.AlarmsOut;

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeTwin.Hl7v2;
using EdgeTwin.Ingest.Options;
using EdgeTwin.Ingest.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

/// <summary>
/// The MLLP listener alarm managers send PCD-05 (ORA^R41) alert status reports to. It binds
/// <c>Ingest:AlarmsOut:ListenAddress</c> (loopback by default) and takes connections only from
/// <c>AllowedPeers</c> (by default the managers' own addresses); others are closed at once, logged
/// and counted. Each report is read strictly (<see cref="AlertStatusReport"/>) and recorded against
/// its alert, then ACKed AA; a malformed, refused or unsolicited one (an alert never reported) is
/// answered AE/AR with an ERR segment saying why, logged, counted, and changes nothing. A recorded
/// status may go back to the box (<see cref="AlarmStatusToBox"/>).
/// </summary>
internal sealed class AlertStatusListener(
    IOptions<IngestOptions> options, IIngestStore store, AlarmsOutMetrics metrics, TimeProvider time, ILogger<AlertStatusListener> logger, AlarmStatusToBox? toBox = null) : BackgroundService
{
    private static readonly Encoding Wire = Encoding.UTF8;
    private static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(30);
    private readonly IAlarmOutStore _store = (IAlarmOutStore)store;
    private readonly TaskCompletionSource<IPEndPoint> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _ackCounter;

    /// <summary>The bound endpoint once listening (tests: port 0 in the settings).</summary>
    public Task<IPEndPoint> Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value.AlarmsOut;
        if (o.ListenPort is not { } port)
        {
            return;
        }

        var allowed = await AllowedAsync(stoppingToken).ConfigureAwait(false);
        var endpoint = new IPEndPoint(IPAddress.Parse(o.ListenAddress), port);
        using var listener = new TcpListener(endpoint);
        try
        {
            listener.Start();
        }
        catch (SocketException ex)
        {
            AlarmsOutLog.ListenFailed(logger, endpoint.ToString(), ex.Message);
            _listening.TrySetException(ex);
            throw;
        }

        var bound = (IPEndPoint)listener.LocalEndpoint;
        AlarmsOutLog.Listening(logger, bound.ToString(), string.Join(", ", allowed));
        _listening.TrySetResult(bound);
        var sessions = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stoppingToken).ConfigureAwait(false);
                var peer = (IPEndPoint)client.Client.RemoteEndPoint!;
                if (!PeerNetworks.Allows(allowed, peer.Address))
                {
                    metrics.PeerRefused();
                    AlarmsOutLog.PeerRefused(logger, peer.ToString());
                    client.Dispose();
                    continue;
                }

                sessions.RemoveAll(t => t.IsCompleted);
                sessions.Add(ServeAsync(client, peer.ToString(), o.MaxFrameBytes, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await Task.WhenAll(sessions).ConfigureAwait(false);
    }

    /// <summary>Answers one report: the ACK text (AA, or AE/AR with ERR) once it is recorded or refused.</summary>
    internal async Task<string> HandleAsync(string text, string peer, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        Hl7Message message;
        try
        {
            message = Hl7Message.Parse(text);
        }
        catch (Hl7FormatException ex)
        {
            return Refuse(ex.Header, peer, AckCode.Error, ex.ErrorCode, ex.Location, ex.Message);
        }

        try
        {
            var report = AlertStatusReport.Read(message, now);
            var alertId = report.AlertId ?? (await _store.AcmMessageAsync(report.AnsweredControlId!, ct).ConfigureAwait(false))?.AlertId;
            var alert = alertId is null ? null : await _store.AcmAlertAsync(alertId, ct).ConfigureAwait(false);
            if (alert is null)
            {
                return Refuse(message.Header, peer, AckCode.Error, Hl7ErrorCode.UnknownKeyIdentifier, report.AlertId is null ? "MSA^2" : "OBR^3",
                    report.AlertId is null ? $"Unsolicited: no alert was reported in message '{report.AnsweredControlId}'." : $"Unsolicited: alert '{report.AlertId}' was never reported.");
            }

            var held = await _store.AcmStatusesAsync(alert.AlertId, ct).ConfigureAwait(false);
            if (held.Any(s => s.ControlId == report.ControlId))
            {
                metrics.Status("duplicate", "");
                return Ack(message.Header, AckCode.Accept, "duplicate; already recorded");
            }

            var row = new AcmStatusRow(alert.AlertId, report.Status, report.Who, report.At, now, peer, report.ControlId);
            await _store.AddAcmStatusAsync(row, ct).ConfigureAwait(false);
            metrics.Status("recorded", report.Status);
            AlarmsOutLog.StatusRecorded(logger, alert.AlertId, report.Status, report.Who ?? "(not named)", report.At, report.ControlId, peer);
            toBox?.Offer(alert, row);
            return Ack(message.Header, AckCode.Accept, null);
        }
        catch (AlertStatusRefusal refusal)
        {
            return Refuse(message.Header, peer, refusal.Code, refusal.Error, refusal.Location, refusal.Message);
        }
        catch (Hl7FormatException ex)
        {
            return Refuse(message.Header, peer, AckCode.Error, ex.ErrorCode, ex.Location, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store failed (PostgreSQL unreachable, disk full): nothing was recorded, and the manager is told so, to send again.
            return Refuse(message.Header, peer, AckCode.Error, Hl7ErrorCode.ApplicationInternalError, null, $"The status could not be recorded ({ex.GetType().Name}: {ex.Message}); send it again.");
        }
    }

    private async Task ServeAsync(TcpClient client, string peer, int maxFrameBytes, CancellationToken ct)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new MllpFrameReader(stream, maxFrameBytes, FrameTimeout, time);
                while (await reader.ReadAsync(ct).ConfigureAwait(false) is { } frame)
                {
                    string? ack = null;
                    switch (frame.Kind)
                    {
                        case MllpFrameKind.Message:
                            ack = await HandleAsync(Wire.GetString(frame.Payload), peer, ct).ConfigureAwait(false);
                            break;
                        case MllpFrameKind.Oversize:
                            ack = Refuse(null, peer, AckCode.Error, Hl7ErrorCode.ApplicationInternalError, null, $"Message larger than {maxFrameBytes.ToString(CultureInfo.InvariantCulture)} bytes; discarded.");
                            break;
                        case MllpFrameKind.TimedOut:
                            AlarmsOutLog.FrameDiscarded(logger, peer, "stalled frame, connection closed", frame.Length);
                            metrics.Status("refused", "stalled-frame");
                            return;
                        default:
                            AlarmsOutLog.FrameDiscarded(logger, peer, frame.Kind.ToString(), frame.Length);
                            metrics.Status("refused", frame.Kind == MllpFrameKind.Garbage ? "garbage" : "broken-frame");
                            break;
                    }

                    if (ack is not null)
                    {
                        await stream.WriteAsync(MllpFrameReader.Wrap(Wire.GetBytes(ack)), ct).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The peer went away or the host is stopping: nothing half-recorded (each report is one write).
            }
        }
    }

    private string Refuse(Hl7Segment? header, string peer, AckCode code, Hl7ErrorCode error, string? location, string reason)
    {
        metrics.Status("refused", ((int)error).ToString(CultureInfo.InvariantCulture));
        AlarmsOutLog.StatusRefused(logger, header?.Raw(10) ?? "", peer, code == AckCode.Reject ? "AR" : "AE", (int)error, reason);
        return Ack(header, code, reason, error, location);
    }

    private string Ack(Hl7Segment? header, AckCode code, string? text, Hl7ErrorCode? error = null, string? location = null) =>
        AckBuilder.Build(header, code, "ETS" + Interlocked.Increment(ref _ackCounter).ToString(CultureInfo.InvariantCulture), time.GetUtcNow(), text, error, location, "R41");

    /// <summary>The allow-list: configured addresses, else every address of every configured manager host.</summary>
    private async Task<List<IPNetwork>> AllowedAsync(CancellationToken ct)
    {
        var o = options.Value;
        var allowed = o.AlarmsOut.AllowedPeers.Select(p => PeerNetworks.TryParse(p, out var n) ? n : throw new FormatException($"'{p}' (checked at start)")).ToList();
        if (allowed.Count == 0)
        {
            foreach (var manager in o.AlarmManagers)
            {
                try
                {
                    foreach (var address in await Dns.GetHostAddressesAsync(manager.Host, ct).ConfigureAwait(false))
                    {
                        allowed.Add(PeerNetworks.Host(address));
                    }
                }
                catch (SocketException ex)
                {
                    // Not resolvable now: that manager cannot report status until it is listed by address (AllowedPeers) or the ingest restarts.
                    AlarmsOutLog.PeerUnresolved(logger, manager.Name, manager.Host, ex.Message);
                }
            }
        }

        return allowed;
    }
}
