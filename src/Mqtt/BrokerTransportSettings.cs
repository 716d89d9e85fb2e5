namespace EdgeTwin.Mqtt;

/// <summary>
/// How a client reaches its broker: login and TLS files. The gateway's <c>Uplink:*</c> and the
/// ingest's <c>Ingest:*</c> options derive from this, so the settings carry the same names and one
/// check and one builder (<see cref="BrokerTransport"/>) serve both.
/// </summary>
public abstract class BrokerTransportSettings
{
    /// <summary>Broker login; with a client certificate the broker may take the certificate's name instead.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>PEM file of CA certificates the broker's certificate must chain to (mqtts only); empty: the system's trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate (mqtts only); its key in <see cref="ClientKeyFile"/> or in the same file.</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>Lets <see cref="Password"/> go over plain <c>mqtt://</c> to a broker off this box (refused otherwise).</summary>
    public bool AllowPlainPassword { get; set; }
}
