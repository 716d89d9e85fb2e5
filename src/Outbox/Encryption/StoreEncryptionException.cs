namespace EdgeTwin.Outbox.Encryption;

/// <summary>A plain store could not be encrypted at open; it is left as it was and the message says why.</summary>
public sealed class StoreEncryptionException(string message, Exception inner) : Exception(message, inner);
