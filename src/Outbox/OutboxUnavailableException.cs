namespace EdgeTwin.Outbox;

/// <summary>A commit did not reach the disk for lack of space; the store is closed until <see cref="OutboxStore.TryReopen"/> succeeds.</summary>
public sealed class OutboxUnavailableException(string message, Exception? inner = null) : IOException(message, inner);
