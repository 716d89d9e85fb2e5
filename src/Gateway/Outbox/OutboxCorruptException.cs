namespace EdgeTwin.Gateway.Outbox;

/// <summary>The outbox files exist but cannot be read as a consistent store; they get quarantined.</summary>
internal sealed class OutboxCorruptException(string message, Exception? inner) : Exception(message, inner);
