namespace EdgeTwin.Telemetry.Signing;

/// <summary>A key file is missing, malformed, readable by group or others, or already exists.</summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException()
    {
    }

    public KeyFileException(string message)
        : base(message)
    {
    }

    public KeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
