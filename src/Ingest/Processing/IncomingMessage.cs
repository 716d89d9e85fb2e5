namespace EdgeTwin.Ingest.Processing;

using EdgeTwin.Ingest.Topics;

/// <summary>One MQTT message as received, before anything is decided about it.</summary>
internal sealed record IncomingMessage(string Topic, TopicName Name, byte[] Payload, DateTimeOffset ReceivedAt);
