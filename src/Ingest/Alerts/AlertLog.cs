namespace EdgeTwin.Ingest.Alerts;

using Microsoft.Extensions.Logging;

internal static partial class AlertLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Warning, Message = "Ingest alert {Kind} for {Gw} {Lane}/{Epoch} seq {Seq}: {Detail}")]
    public static partial void Alert(ILogger logger, string kind, string gw, string? lane, string? epoch, long? seq, string detail);
}
