namespace EdgeTwin.Ingest.Enrolment;

using Microsoft.Extensions.Logging;

internal static partial class EnrolmentLog
{
    [LoggerMessage(EventId = 7320, Level = LogLevel.Information, Message = "Enrolment file {Path} applied: {Gateways} gateways enrolled, {Revoked} addresses revoked")]
    public static partial void Reloaded(ILogger logger, string path, int gateways, int revoked);

    [LoggerMessage(EventId = 7321, Level = LogLevel.Error, Message = "Enrolment file {Path} not applied, the enrolment in force is unchanged: {Problem}")]
    public static partial void ReloadRefused(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 7322, Level = LogLevel.Warning, Message = "Gateway {Gw}: address {Address} no longer signs for it ({Reason}; now enrolled: {Now}); its chains are cut off at what is verified")]
    public static partial void AddressEnded(ILogger logger, string gw, string address, string reason, string now);

    [LoggerMessage(EventId = 7323, Level = LogLevel.Warning, Message = "Gateway {Gw} is enrolled as {Address}, which is revoked ({Reason}): the gateway is not enrolled until it gets a new address")]
    public static partial void EnrolledButRevoked(ILogger logger, string gw, string address, string reason);

    [LoggerMessage(EventId = 7324, Level = LogLevel.Error, Message = "Gateway {Gw} is enrolled as {Address} in the settings and as {Other} in the enrolment file; the settings win until one is changed")]
    public static partial void Conflict(ILogger logger, string gw, string address, string other);
}
