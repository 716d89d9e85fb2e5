namespace EdgeTwin.Gateway.Twin;

using Microsoft.Extensions.Logging;

/// <summary>The twin's log lines (event ids 5000-5099).</summary>
internal static partial class TwinLog
{
    [LoggerMessage(5000, LogLevel.Information, "Twin restored: desired version {DesiredVersion}, reported version {ReportedVersion}, {Stays} stays")]
    public static partial void Restored(ILogger logger, long desiredVersion, long reportedVersion, int stays);

    [LoggerMessage(5001, LogLevel.Information, "Desired state version {Version} applied")]
    public static partial void DesiredApplied(ILogger logger, long version);

    [LoggerMessage(5002, LogLevel.Warning, "Desired state version {Version} rejected: {Reason}")]
    public static partial void DesiredRejected(ILogger logger, long? version, string reason);

    [LoggerMessage(5003, LogLevel.Warning, "Twin event {Type} not yet in the chain; kept and retried: {Problem}")]
    public static partial void EventDeferred(ILogger logger, string type, string problem);

    [LoggerMessage(5004, LogLevel.Error, "Twin target {Target} failed to apply the configuration or patient state in force")]
    public static partial void TargetFailed(ILogger logger, string target, Exception exception);

    [LoggerMessage(5005, LogLevel.Information, "Patient {Patient} {Action} (bed {Bed}) from {Source}")]
    public static partial void Bound(ILogger logger, string patient, string action, string? bed, string source);

    [LoggerMessage(5006, LogLevel.Warning, "Local binding command refused: {Reason}")]
    public static partial void BindingRefused(ILogger logger, string reason);

    [LoggerMessage(5007, LogLevel.Information, "Consent of {Patient} for {StreamClass} is now {Granted}")]
    public static partial void ConsentChanged(ILogger logger, string patient, string streamClass, bool granted);

    [LoggerMessage(5008, LogLevel.Warning, "Reported twin version {Version} not published (uplink not ready); retrying")]
    public static partial void ReportDeferred(ILogger logger, long version);

    [LoggerMessage(5012, LogLevel.Error, "Reported twin not published: signed it would be {Bytes} bytes, over the {Limit} bytes a signed document may have ({Devices} devices); the cloud keeps the last reported twin it received (held back since the last such line: {Suppressed})")]
    public static partial void ReportTooLarge(ILogger logger, int bytes, int limit, int devices, long suppressed);

    [LoggerMessage(5009, LogLevel.Error, "Reported twin loop failed; retrying")]
    public static partial void ReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(5010, LogLevel.Information, "Site secret created at {Path}")]
    public static partial void SiteSecretCreated(ILogger logger, string path);

    [LoggerMessage(5011, LogLevel.Information, "Patient {Patient} hypercapnic (NEWS2 SpO2 scale 2) is now {Hypercapnic}, from {Source}")]
    public static partial void HypercapnicChanged(ILogger logger, string patient, bool hypercapnic, string source);

    [LoggerMessage(5030, LogLevel.Warning, "No desired-state floor (twin store and floor file both empty or lost): desired documents issued before {Cutoff} are refused (Twin:DesiredMaxAge)")]
    public static partial void NoDesiredFloor(ILogger logger, DateTimeOffset cutoff);

    [LoggerMessage(5031, LogLevel.Error, "Desired-state floor file unusable, ignored: {Problem}")]
    public static partial void DesiredFloorUnreadable(ILogger logger, string problem);

    [LoggerMessage(5032, LogLevel.Error, "Desired-state floor file {Path} could not be written ({Problem}); the twin store still holds the version")]
    public static partial void DesiredFloorUnwritable(ILogger logger, string path, string problem);
}
