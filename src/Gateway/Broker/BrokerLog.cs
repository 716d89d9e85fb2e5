namespace EdgeTwin.Gateway.Broker;

using Microsoft.Extensions.Logging;

internal static partial class BrokerLog
{
    [LoggerMessage(1051, LogLevel.Warning, "Embedded broker refused client {ClientId} from {Endpoint}: {Reason} ({Suppressed} more refusals for this reason since the last line)")]
    public static partial void Refused(ILogger logger, string clientId, string endpoint, string reason, long suppressed);

    [LoggerMessage(1052, LogLevel.Warning, "Embedded broker dropped a {Bytes}-byte message on {Topic} from {ClientId} (limit {Limit} bytes) and disconnected it ({Suppressed} more since the last line)")]
    public static partial void Oversize(ILogger logger, string clientId, string topic, long bytes, int limit, long suppressed);
}
