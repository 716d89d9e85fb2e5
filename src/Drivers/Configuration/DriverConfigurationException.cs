namespace EdgeTwin.Drivers.Configuration;

/// <summary>The device configuration is wrong; the message names the key and what is allowed.</summary>
public sealed class DriverConfigurationException : Exception
{
    public DriverConfigurationException()
    {
    }

    public DriverConfigurationException(string message)
        : base(message)
    {
    }

    public DriverConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
