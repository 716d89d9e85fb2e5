namespace EdgeTwin.Ingest.Topics;

internal enum TopicLeaf
{
    Telemetry,
    Alarm,
    TwinReported,
    Status,
}
