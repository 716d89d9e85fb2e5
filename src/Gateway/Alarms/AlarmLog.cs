namespace EdgeTwin.Gateway.Alarms;

using Microsoft.Extensions.Logging;

/// <summary>Log lines of the alarm wiring (event ids 1060-1069).</summary>
internal static partial class AlarmLog
{
    [LoggerMessage(1060, LogLevel.Information, "Alarm {State} ({Priority}) {Condition} from {Source} on {Device}")]
    public static partial void Changed(ILogger logger, string state, string priority, string condition, string source, string device);

    [LoggerMessage(1061, LogLevel.Information, "Nurse call {Button}: acknowledging the alarms of {Patients} patient(s)")]
    public static partial void Acknowledged(ILogger logger, string button, int patients);

    [LoggerMessage(1062, LogLevel.Error, "Alarm {Condition} on {Device} could not be recorded; it is still annunciated locally")]
    public static partial void AlarmRejected(ILogger logger, string condition, string device, Exception exception);

    [LoggerMessage(1063, LogLevel.Warning, "Alarm limit {Condition} now {Side} {Limit} (was {Previous}), from twin threshold {Threshold}")]
    public static partial void LimitChanged(ILogger logger, string condition, string side, double limit, double previous, string threshold);

    [LoggerMessage(1064, LogLevel.Information, "Alarm {Condition} (alert {Alert}): {Status} by {By} at {At}, reported by the alarm manager (alarm-status seq {Seq}); shown, the local alarm is unchanged")]
    public static partial void ResponseAccepted(ILogger logger, string condition, string alert, string status, string by, DateTimeOffset at, long seq);

    [LoggerMessage(1065, LogLevel.Warning, "Alarm status refused: {Reason}; nothing changed ({HeldBack} more of this reason held back since the last line)")]
    public static partial void ResponseRefused(ILogger logger, string reason, long heldBack);
}
