namespace EdgeTwin.Gateway.Configuration;

/// <summary>The gateway cannot start because of <see cref="Setting"/>; the message says what to fix.</summary>
internal sealed class StartupException(string setting, string problem, Exception? inner = null)
    : Exception($"{setting}: {problem}", inner)
{
    public string Setting { get; } = setting;
}
