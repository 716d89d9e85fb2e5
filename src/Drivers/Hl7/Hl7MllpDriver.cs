namespace EdgeTwin.Drivers.Hl7;

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using EdgeTwin.Drivers.Diagnostics;
using EdgeTwin.Drivers.Hl7.Nomenclature;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Hl7v2;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Listens for one bedside monitor sending HL7 v2 ORU^R01 over MLLP (optionally over TLS with a
/// client certificate), ACKs every message and turns its observations into samples. Connections
/// come only from <see cref="Hl7MllpSettings.AllowedPeers"/>; others are closed at once. One
/// connection at a time: the same peer reconnecting replaces its old link (a monitor that rebooted
/// or lost its cable leaves a half-open one behind); another peer is refused while the current link
/// lives, and may take over only once it has been silent for the lost limit. Nothing the peer sends
/// can end <see cref="RunAsync"/>; a port that cannot be bound is retried every 5 s with the device Lost.
/// </summary>
internal sealed partial class Hl7MllpDriver : IDeviceDriver
{
    private static readonly TimeSpan BindRetry = TimeSpan.FromSeconds(5);
    private static readonly Encoding Wire = Encoding.Latin1;
    private const int MaxPendingHandshakes = 4;

    private readonly Hl7MllpSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Hl7MessageHandler _handler;
    private readonly TaskCompletionSource<IPEndPoint> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly DateTimeOffset _startedAt;
    private readonly HashSet<string> _disagreementsLogged = new(StringComparer.Ordinal);
    private int _health = (int)DeviceHealth.Lost;
    private bool _connected;
    private DateTimeOffset? _connectedAt;
    private DateTimeOffset? _disconnectedAt;
    private DateTimeOffset? _lastMessageAt;
    private int _running;
    private readonly SemaphoreSlim _admit = new(1, 1);
    private Task _session = Task.CompletedTask;
    private CancellationTokenSource? _sessionStop;
    private Peer? _sessionPeer;
    private DateTimeOffset? _lastFrameAt;

    public Hl7MllpDriver(Hl7MllpSettings settings, TimeProvider time, ILogger? logger = null)
    {
        _settings = settings;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _handler = new Hl7MessageHandler(settings, time);
        _startedAt = time.GetUtcNow();
        Info = new DeviceInfo(
            settings.DeviceId,
            "HL7 v2 ORU^R01 over MLLP",
            "",
            "",
            $"tcp://{new IPEndPoint(settings.Address, settings.Port)}",
            [.. Hl7Streams.All.Select(s => s.Code)]);
    }

    public DeviceInfo Info { get; }

    /// <summary>The checked settings it runs with.</summary>
    public Hl7MllpSettings Settings => _settings;

    /// <summary>Lost until a monitor connects and sends; see docs/drivers.md for the rules.</summary>
    public DeviceHealth Health => Evaluate();

    /// <summary>The bound endpoint, once listening (port 0 in settings: the port the system chose).</summary>
    public Task<IPEndPoint> Listening => _listening.Task;

    public Hl7MllpCounters Counters { get; } = new();

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"Device {Info.DeviceId} is already running.");
        }

        using var healthLoop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = WatchHealthAsync(healthLoop.Token);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var listener = new TcpListener(_settings.Address, _settings.Port);
                try
                {
                    listener.Start(1);
                }
                catch (SocketException error)
                {
                    listener.Dispose();
                    LogBindFailed(_logger, Info.DeviceId, Info.BusAddress, error.SocketErrorCode.ToString(), error.Message);
                    await Task.Delay(BindRetry, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                using (listener)
                {
                    var endpoint = (IPEndPoint)listener.LocalEndpoint;
                    LogListening(_logger, Info.DeviceId, endpoint.ToString());
                    _listening.TrySetResult(endpoint);
                    await AcceptLoopAsync(listener, sink, cancellationToken).ConfigureAwait(false);
                }

                // Accepting failed: listen afresh, but not in a tight loop.
                await Task.Delay(BindRetry, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of a run.
        }
        finally
        {
            await healthLoop.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
            Volatile.Write(ref _running, 0);
        }
    }

    public ValueTask DisposeAsync()
    {
        _admit.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync(TcpListener listener, ISampleSink sink, CancellationToken cancellationToken)
    {
        var handshakes = new List<Task>();
        try
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException error)
                {
                    LogAcceptFailed(_logger, Info.DeviceId, error.SocketErrorCode.ToString());
                    return;
                }

                var remote = (IPEndPoint)client.Client.RemoteEndPoint!;
                var peer = new Peer(remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address, remote.ToString());
                if (!_settings.Allows(peer.Address))
                {
                    Counters.PeerRefused();
                    DriverMetrics.Refused(Info.DeviceId, "peer");
                    LogPeerRefused(_logger, Info.DeviceId, peer.Text);
                    client.Dispose();
                    continue;
                }

                if (_settings.Tls is null)
                {
                    await AdmitAsync(client, client.GetStream(), peer, sink, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // Handshakes run beside the accept loop (a peer that never finishes one must not hold
                // up the monitor's reconnection), a few at a time.
                handshakes.RemoveAll(t => t.IsCompleted);
                if (handshakes.Count >= MaxPendingHandshakes)
                {
                    Counters.TlsRefused();
                    DriverMetrics.Refused(Info.DeviceId, "tls");
                    LogTlsRefused(_logger, Info.DeviceId, peer.Text, $"{MaxPendingHandshakes} handshakes already pending");
                    client.Dispose();
                    continue;
                }

                handshakes.Add(HandshakeThenAdmitAsync(client, peer, sink, cancellationToken));
            }
        }
        finally
        {
            await Task.WhenAll(handshakes).ConfigureAwait(false);
            await EndSessionAsync().ConfigureAwait(false);
        }
    }

    private async Task HandshakeThenAdmitAsync(TcpClient client, Peer peer, ISampleSink sink, CancellationToken cancellationToken)
    {
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        string? problem = null;
        try
        {
            await tls.AuthenticateAsServerAsync(_settings.Tls!.ServerOptions(p => problem = p), cancellationToken)
                .WaitAsync(_settings.FrameTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is AuthenticationException or IOException or TimeoutException or SocketException)
        {
            Counters.TlsRefused();
            DriverMetrics.Refused(Info.DeviceId, "tls");
            LogTlsRefused(_logger, Info.DeviceId, peer.Text, problem ?? (error is TimeoutException ? $"no handshake within {_settings.FrameTimeout.TotalSeconds} s" : error.Message));
            await tls.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
            return;
        }
        catch (OperationCanceledException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
            return;
        }

        await AdmitAsync(client, tls, peer, sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One connection at a time. The same peer reconnecting replaces its old link (a monitor that
    /// rebooted leaves a half-open one behind); another peer is refused while the current link lives,
    /// so nothing that can reach the port takes the feed over. A link silent for the lost limit is
    /// taken as dead (half-open): then another allowed peer may take over.
    /// </summary>
    private async Task AdmitAsync(TcpClient client, Stream stream, Peer peer, ISampleSink sink, CancellationToken cancellationToken)
    {
        try
        {
            await _admit.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping while this connection waited its turn.
            await stream.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
            throw;
        }

        try
        {
            if (!_session.IsCompleted && _sessionPeer is { } current)
            {
                var quiet = QuietFor();
                if (!current.Address.Equals(peer.Address) && quiet <= _settings.LostAfterSilence)
                {
                    Counters.TakeoverRefused();
                    DriverMetrics.Refused(Info.DeviceId, "takeover");
                    LogTakeoverRefused(_logger, Info.DeviceId, peer.Text, current.Text, quiet.TotalSeconds);
                    await stream.DisposeAsync().ConfigureAwait(false);
                    client.Dispose();
                    return;
                }

                Counters.ConnectionsReplaced++;
                LogReplaced(_logger, Info.DeviceId, peer.Text, current.Text);
            }

            // The old session ends before the new one starts, so samples never interleave.
            try
            {
                await EndSessionAsync().ConfigureAwait(false);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                client.Dispose();
                throw;
            }

            _sessionStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _sessionPeer = peer;
            _session = ServeAsync(client, stream, peer.Text, sink, _sessionStop.Token);
        }
        finally
        {
            _admit.Release();
        }
    }

    private async Task EndSessionAsync()
    {
        if (_sessionStop is { } stop)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await _session.ConfigureAwait(false);
            stop.Dispose();
            _sessionStop = null;
        }
    }

    /// <summary>Since the current link last brought a frame (or connected).</summary>
    private TimeSpan QuietFor()
    {
        lock (_gate)
        {
            return _time.GetUtcNow() - (Max(_lastFrameAt, _connectedAt) ?? _time.GetUtcNow());
        }
    }

    /// <summary>Serves one connection until the peer closes it, it breaks, it stalls in a frame, or it is replaced.</summary>
    private async Task ServeAsync(TcpClient client, Stream stream, string peer, ISampleSink sink, CancellationToken cancellationToken)
    {
        SetConnected(true);
        LogConnected(_logger, Info.DeviceId, peer);
        var reason = "closed by the monitor";
        try
        {
            using (client)
            await using (stream.ConfigureAwait(false))
            {
                var reader = new MllpFrameReader(stream, _settings.MaxFrameBytes, _settings.FrameTimeout, _time);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } frame)
                {
                    lock (_gate)
                    {
                        _lastFrameAt = _time.GetUtcNow();
                    }

                    if (frame.Kind == MllpFrameKind.TimedOut)
                    {
                        Counters.BrokenFrames++;
                        Counters.FramesTimedOut++;
                        DriverMetrics.Refused(Info.DeviceId, "frame-timeout");
                        reason = $"a frame took more than {_settings.FrameTimeout.TotalSeconds} s";
                        break;
                    }

                    if (await HandleFrameAsync(frame, sink, cancellationToken).ConfigureAwait(false) is { } ack)
                    {
                        var bytes = MllpFrameReader.Wrap(Wire.GetBytes(ack));
                        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = "replaced or stopping";
        }
        catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException)
        {
            reason = $"{error.GetType().Name}: {error.Message}";
        }
        finally
        {
            SetConnected(false);
            LogDisconnected(_logger, Info.DeviceId, peer, reason);
        }
    }

    /// <returns>The ACK to send, or null when there is nothing to answer.</returns>
    private async Task<string?> HandleFrameAsync(MllpFrame frame, ISampleSink sink, CancellationToken cancellationToken)
    {
        switch (frame.Kind)
        {
            case MllpFrameKind.Garbage:
                Counters.GarbageBytes += frame.Length;
                LogGarbage(_logger, Info.DeviceId, frame.Length);
                return null;
            case MllpFrameKind.Broken:
                Counters.BrokenFrames++;
                LogBroken(_logger, Info.DeviceId, frame.Length);
                return null;
            case MllpFrameKind.Oversize:
                Counters.OversizeFrames++;
                DriverMetrics.Refused(Info.DeviceId, "oversize");
                LogOversize(_logger, Info.DeviceId, frame.Length, _settings.MaxFrameBytes);
                return _handler.RefuseOversize(Wire.GetString(frame.Payload), _settings.MaxFrameBytes).Ack;
            default:
                break;
        }

        var handled = _handler.Handle(Wire.GetString(frame.Payload));
        foreach (var skip in handled.Skipped)
        {
            Counters.ObservationsSkipped++;
            LogSkipped(_logger, Info.DeviceId, handled.ControlId, skip.SetId, skip.Identifier, skip.Reason);
        }

        Counters.ObservationsImplausible += handled.Implausible;
        Counters.DescriptionRows += handled.DescriptionRows;
        foreach (var disagreement in handled.Disagreements ?? [])
        {
            Counters.ReferenceIdDisagreements++;

            // A monitor that gets a reference id wrong gets it wrong in every message: said once, counted always.
            if (_disagreementsLogged.Count < 256 && _disagreementsLogged.Add(disagreement.Detail))
            {
                LogDisagreement(_logger, Info.DeviceId, handled.ControlId, disagreement.SetId, disagreement.Identifier, disagreement.Detail);
            }
        }

        if (handled.DescriptionRows > 0)
        {
            LogDescriptionRows(_logger, Info.DeviceId, handled.ControlId, handled.DescriptionRows);
        }
        switch (handled.Code)
        {
            case AckCode.Accept when handled.Duplicate:
                Counters.Duplicates++;
                LogDuplicate(_logger, Info.DeviceId, handled.ControlId);
                break;
            case AckCode.Accept:
                Counters.MessagesAccepted++;
                foreach (var sample in handled.Samples)
                {
                    await sink.WriteAsync(sample, cancellationToken).ConfigureAwait(false);
                }

                break;
            case AckCode.Error:
                Counters.MessagesInError++;
                DriverMetrics.Refused(Info.DeviceId, "message-ae");
                LogRefused(_logger, Info.DeviceId, "AE", handled.ControlId, handled.Problem ?? "");
                break;
            default:
                Counters.MessagesRejected++;
                DriverMetrics.Refused(Info.DeviceId, "message-ar");
                LogRefused(_logger, Info.DeviceId, "AR", handled.ControlId, handled.Problem ?? "");
                break;
        }

        if (handled.Code == AckCode.Accept)
        {
            lock (_gate)
            {
                _lastMessageAt = _time.GetUtcNow();
            }

            Evaluate();
        }

        return handled.Ack;
    }

    private void SetConnected(bool connected)
    {
        lock (_gate)
        {
            _connected = connected;
            if (connected)
            {
                _connectedAt = _time.GetUtcNow();
            }
            else
            {
                _disconnectedAt = _time.GetUtcNow();
            }
        }

        Evaluate();
    }

    /// <summary>
    /// Ok: connected and a message accepted within the silence limit. Degraded: connected but
    /// quiet, or disconnected for less than the lost limit. Lost: never heard from, or quiet or
    /// disconnected for longer than the lost limit.
    /// </summary>
    private DeviceHealth Evaluate()
    {
        DeviceHealth health;
        string reason;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_connected)
            {
                var lastHeard = Max(_lastMessageAt, _connectedAt) ?? now;
                var quiet = now - lastHeard;
                (health, reason) = _lastMessageAt is { } last && now - last <= _settings.DegradedAfter ? (DeviceHealth.Ok, "monitor connected and sending")
                    : quiet > _settings.LostAfterSilence ? (DeviceHealth.Lost, $"connected but silent for {quiet.TotalSeconds:F0} s")
                    : (DeviceHealth.Degraded, "monitor connected but silent");
            }
            else
            {
                var since = _disconnectedAt ?? _startedAt;
                (health, reason) = _connectedAt is null && _disconnectedAt is null ? (DeviceHealth.Lost, "no monitor connected yet")
                    : now - since > _settings.LostAfterSilence ? (DeviceHealth.Lost, $"no connection for {(now - since).TotalSeconds:F0} s")
                    : (DeviceHealth.Degraded, "monitor disconnected");
            }
        }

        if (Interlocked.Exchange(ref _health, (int)health) != (int)health)
        {
            LogHealthChanged(_logger, Info.DeviceId, health, reason);
        }

        return health;
    }

    private async Task WatchHealthAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Evaluate();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with the driver.
        }
    }

    /// <summary>A connection's remote address (IPv4-mapped addresses as IPv4) and its text for the log.</summary>
    private sealed record Peer(IPAddress Address, string Text);

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "Device {DeviceId} listening for HL7 MLLP on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string deviceId, string endpoint);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "Device {DeviceId} cannot listen on {Endpoint} ({Code}: {Message}); retrying in 5 s")]
    private static partial void LogBindFailed(ILogger logger, string deviceId, string? endpoint, string code, string message);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Information, Message = "Device {DeviceId}: monitor connected from {Peer}")]
    private static partial void LogConnected(ILogger logger, string deviceId, string peer);

    [LoggerMessage(EventId = 4404, Level = LogLevel.Warning, Message = "Device {DeviceId}: connection from {Peer} ended: {Reason}")]
    private static partial void LogDisconnected(ILogger logger, string deviceId, string peer, string reason);

    [LoggerMessage(EventId = 4405, Level = LogLevel.Warning, Message = "Device {DeviceId}: new connection from {Peer} replaces the current one from {Current}")]
    private static partial void LogReplaced(ILogger logger, string deviceId, string peer, string current);

    [LoggerMessage(EventId = 4416, Level = LogLevel.Warning, Message = "Device {DeviceId}: connection from {Peer} refused: not an allowed peer (AllowedPeers)")]
    private static partial void LogPeerRefused(ILogger logger, string deviceId, string peer);

    [LoggerMessage(EventId = 4417, Level = LogLevel.Warning, Message = "Device {DeviceId}: connection from {Peer} refused: the monitor's link from {Current} is live (last frame {QuietSeconds:F0} s ago)")]
    private static partial void LogTakeoverRefused(ILogger logger, string deviceId, string peer, string current, double quietSeconds);

    [LoggerMessage(EventId = 4418, Level = LogLevel.Warning, Message = "Device {DeviceId}: TLS connection from {Peer} refused: {Problem}")]
    private static partial void LogTlsRefused(ILogger logger, string deviceId, string peer, string problem);

    [LoggerMessage(EventId = 4406, Level = LogLevel.Warning, Message = "Device {DeviceId}: {Count} bytes outside any MLLP frame discarded")]
    private static partial void LogGarbage(ILogger logger, string deviceId, long count);

    [LoggerMessage(EventId = 4407, Level = LogLevel.Warning, Message = "Device {DeviceId}: broken MLLP frame ({Count} bytes) discarded")]
    private static partial void LogBroken(ILogger logger, string deviceId, long count);

    [LoggerMessage(EventId = 4408, Level = LogLevel.Warning, Message = "Device {DeviceId}: MLLP frame of {Count} bytes exceeds {Limit}; discarded, answered AE")]
    private static partial void LogOversize(ILogger logger, string deviceId, long count, int limit);

    [LoggerMessage(EventId = 4409, Level = LogLevel.Warning, Message = "Device {DeviceId}: message {ControlId} answered {Code}: {Problem}")]
    private static partial void LogRefused(ILogger logger, string deviceId, string code, string controlId, string problem);

    [LoggerMessage(EventId = 4410, Level = LogLevel.Information, Message = "Device {DeviceId}: message {ControlId} is a resend of an accepted one; ACKed again, samples not repeated")]
    private static partial void LogDuplicate(ILogger logger, string deviceId, string controlId);

    [LoggerMessage(EventId = 4411, Level = LogLevel.Warning, Message = "Device {DeviceId}: message {ControlId} OBX {SetId} ({Identifier}) not used: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string deviceId, string controlId, int setId, string identifier, string reason);

    [LoggerMessage(EventId = 4412, Level = LogLevel.Warning, Message = "Device {DeviceId} health is now {Health}: {Reason}")]
    private static partial void LogHealthChanged(ILogger logger, string deviceId, DeviceHealth health, string reason);

    [LoggerMessage(EventId = 4414, Level = LogLevel.Warning, Message = "Device {DeviceId}: message {ControlId} OBX {SetId} ({Identifier}): {Detail}; the code decides (said once per monitor and disagreement, counted each time)")]
    private static partial void LogDisagreement(ILogger logger, string deviceId, string controlId, int setId, string identifier, string detail);

    [LoggerMessage(EventId = 4415, Level = LogLevel.Debug, Message = "Device {DeviceId}: message {ControlId} carried {Count} device hierarchy row(s) (MDS, VMD, channel); no observations")]
    private static partial void LogDescriptionRows(ILogger logger, string deviceId, string controlId, int count);

    [LoggerMessage(EventId = 4413, Level = LogLevel.Error, Message = "Device {DeviceId}: accepting connections failed ({Code}); listening again")]
    private static partial void LogAcceptFailed(ILogger logger, string deviceId, string code);
}
