namespace EdgeTwin.Gateway.Privacy;

/// <summary>The site secret file is unusable; the message says why and what to do.</summary>
internal sealed class SiteSecretException(string message) : Exception(message);
