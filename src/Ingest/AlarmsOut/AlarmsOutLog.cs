namespace EdgeTwin.Ingest.AlarmsOut;

using Microsoft.Extensions.Logging;

/// <summary>Log lines of the alarm reporter, events 7200-7219.</summary>
internal static partial class AlarmsOutLog
{
    [LoggerMessage(EventId = 7200, Level = LogLevel.Information, Message = "Alarm manager {Manager} ({Endpoint}) acknowledged {ControlId} (alert {AlertId}) after {Attempts} attempt(s)")]
    public static partial void Acked(ILogger logger, string manager, string endpoint, string controlId, string alertId, int attempts);

    [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "Alarm manager {Manager}: attempt {Attempts} to send {ControlId} failed ({Reason}); trying again after a back-off")]
    public static partial void SendFailed(ILogger logger, string manager, string controlId, string reason, int attempts);

    [LoggerMessage(EventId = 7202, Level = LogLevel.Error, Message = "Alarm manager {Manager} ({Endpoint}) unreachable: {ControlId} (alert {AlertId} of {Gw}) unacknowledged since {Since}; last error: {Reason}")]
    public static partial void Unreachable(ILogger logger, string manager, string endpoint, string controlId, string alertId, string gw, DateTimeOffset since, string reason);

    [LoggerMessage(EventId = 7203, Level = LogLevel.Warning, Message = "Alarm manager {Manager}: re-sending {ControlId}, sent before without an acknowledgement ({Attempts} attempt(s) so far)")]
    public static partial void Resending(ILogger logger, string manager, string controlId, int attempts);

    [LoggerMessage(EventId = 7204, Level = LogLevel.Error, Message = "Alarm manager {Manager} rejected {ControlId} (alert {AlertId}): {Reason}; not sent again")]
    public static partial void Rejected(ILogger logger, string manager, string controlId, string alertId, string reason);

    [LoggerMessage(EventId = 7205, Level = LogLevel.Warning, Message = "Alarm manager {Manager} answered {ControlId} with an application error ({Count} of {Limit}): {Reason}")]
    public static partial void ErrorAnswer(ILogger logger, string manager, string controlId, int count, int limit, string reason);

    [LoggerMessage(EventId = 7206, Level = LogLevel.Information, Message = "Alarm manager {Manager} reachable again")]
    public static partial void Reachable(ILogger logger, string manager);

    [LoggerMessage(EventId = 7207, Level = LogLevel.Error, Message = "Alarm manager {Manager}: the queue cannot be read ({Reason}); trying again in 1 s")]
    public static partial void QueueUnreadable(ILogger logger, string manager, string reason);

    [LoggerMessage(EventId = 7208, Level = LogLevel.Information, Message = "Alarm manager {Manager}: this worker sends its queue")]
    public static partial void LeaseTaken(ILogger logger, string manager);

    [LoggerMessage(EventId = 7209, Level = LogLevel.Information, Message = "Alarm manager {Manager}: another worker sends its queue; this one takes over if it goes away")]
    public static partial void LeaseElsewhere(ILogger logger, string manager);

    [LoggerMessage(EventId = 7216, Level = LogLevel.Warning, Message = "Alarm manager {Manager}: the sending lease was lost (database session ended); taking it again")]
    public static partial void LeaseLost(ILogger logger, string manager);

    [LoggerMessage(EventId = 7210, Level = LogLevel.Information, Message = "Listening for PCD-05 alert status on {Endpoint}; allowed peers: {Peers}")]
    public static partial void Listening(ILogger logger, string endpoint, string peers);

    [LoggerMessage(EventId = 7211, Level = LogLevel.Warning, Message = "PCD-05 connection from {Peer} refused: not an allowed peer (Ingest:AlarmsOut:AllowedPeers)")]
    public static partial void PeerRefused(ILogger logger, string peer);

    [LoggerMessage(EventId = 7212, Level = LogLevel.Information, Message = "Alert {AlertId}: {Status} by {Who} at {At} (PCD-05 {ControlId} from {Peer})")]
    public static partial void StatusRecorded(ILogger logger, string alertId, string status, string who, DateTimeOffset at, string controlId, string peer);

    [LoggerMessage(EventId = 7213, Level = LogLevel.Warning, Message = "PCD-05 {ControlId} from {Peer} refused {Code} ({Error}): {Reason}; nothing recorded")]
    public static partial void StatusRefused(ILogger logger, string controlId, string peer, string code, int error, string reason);

    [LoggerMessage(EventId = 7214, Level = LogLevel.Warning, Message = "PCD-05 connection from {Peer}: {What} ({Count} bytes) discarded")]
    public static partial void FrameDiscarded(ILogger logger, string peer, string what, long count);

    [LoggerMessage(EventId = 7217, Level = LogLevel.Error, Message = "Alarm manager {Manager}: host {Host} does not resolve ({Reason}); its PCD-05 reports are refused until it is listed in Ingest:AlarmsOut:AllowedPeers or the ingest restarts")]
    public static partial void PeerUnresolved(ILogger logger, string manager, string host, string reason);

    [LoggerMessage(EventId = 7215, Level = LogLevel.Error, Message = "PCD-05 listener cannot listen on {Endpoint}: {Reason}")]
    public static partial void ListenFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 7218, Level = LogLevel.Information, Message = "Alert {AlertId}: {Status} by {Who} put back to gateway {Gw} (alarm-status seq {Seq})")]
    public static partial void StatusToBox(ILogger logger, string alertId, string status, string who, string gw, long seq);

    [LoggerMessage(EventId = 7219, Level = LogLevel.Warning, Message = "Alert {AlertId}: the {Status} status could not be put back to gateway {Gw} ({Reason}); {Outcome}")]
    public static partial void StatusToBoxFailed(ILogger logger, string alertId, string status, string gw, string reason, string outcome);
}
