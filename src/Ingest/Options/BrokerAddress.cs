namespace EdgeTwin.Ingest.Options;

/// <summary><c>mqtt://host:port</c> (port defaults to 1883).</summary>
internal sealed record BrokerAddress(string Host, int Port)
{
    public static bool TryParse(string? text, out BrokerAddress? address, out string? problem)
    {
        address = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "mqtt" || string.IsNullOrEmpty(uri.Host))
        {
            problem = $"Ingest:Broker '{text}' is not mqtt://host:port.";
            return false;
        }

        if (uri.AbsolutePath is not ("/" or "") || !string.IsNullOrEmpty(uri.Query))
        {
            problem = $"Ingest:Broker '{text}' must not carry a path or query.";
            return false;
        }

        address = new BrokerAddress(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 1883 : uri.Port);
        problem = null;
        return true;
    }
}
