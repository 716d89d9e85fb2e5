namespace EdgeTwin.Outbox.Encryption;

/// <summary>A secret file is missing, malformed, unreadable or readable by others; the message names the file and the fix.</summary>
public sealed class SecretFileException(string message, Exception? inner = null) : Exception(message, inner);
