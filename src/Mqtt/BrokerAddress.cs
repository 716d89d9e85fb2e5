namespace EdgeTwin.Mqtt;

using System.Net;

/// <summary>A parsed broker setting: <c>mqtt://host[:1883]</c> or <c>mqtts://host[:8883]</c>.</summary>
public sealed record BrokerAddress(string Host, int Port, bool Tls)
{
    /// <summary>The broker is on this box: a password sent in clear text to it never crosses a wire.</summary>
    public bool IsLoopback =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{Host}:{Port}";

    public static bool TryParse(string? text, out BrokerAddress? address, out string? problem)
    {
        address = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            problem = $"'{text}' is not a URI; use mqtt://host:port or mqtts://host:port";
            return false;
        }

        bool tls;
        switch (uri.Scheme)
        {
            case "mqtt":
                tls = false;
                break;
            case "mqtts":
                tls = true;
                break;
            default:
                problem = $"unknown scheme '{uri.Scheme}' in '{text}'; use mqtt://host:port or mqtts://host:port";
                return false;
        }

        if (uri.AbsolutePath is not ("/" or "") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = $"'{text}' must be scheme://host:port only (credentials go in the Username and Password settings)";
            return false;
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? (tls ? 8883 : 1883) : uri.Port;
        address = new BrokerAddress(uri.Host, port, tls);
        problem = null;
        return true;
    }
}
