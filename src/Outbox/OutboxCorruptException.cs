namespace EdgeTwin.Outbox;

/// <summary>The outbox files exist but cannot be read as a consistent store; they get quarantined.</summary>
public sealed class OutboxCorruptException(string message, Exception? inner) : Exception(message, inner);
