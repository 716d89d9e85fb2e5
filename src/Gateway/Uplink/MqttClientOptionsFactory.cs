namespace EdgeTwin.Gateway.Uplink;

using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeTwin.Gateway.Configuration;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

/// <summary>
/// Builds the MQTT client options: MQTT 5 with a persistent session (clean start off, a week of
/// session expiry), the retained <c>{"online":false}</c> will on the status topic, TLS with the
/// operator's CA file as the only trust root and an optional client certificate.
/// </summary>
internal static class MqttClientOptionsFactory
{
    public static readonly byte[] OfflinePayload = Encoding.UTF8.GetBytes("""{"online":false}""");

    public static MqttClientOptions Create(BrokerAddress broker, UplinkOptions options, string clientId, string statusTopic)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(7 * 24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(statusTopic)
            .WithWillPayload(OfflinePayload)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (!string.IsNullOrEmpty(options.Username))
        {
            builder.WithCredentials(options.Username, options.Password ?? "");
        }

        if (broker.Tls)
        {
            builder.WithTlsOptions(tls => ConfigureTls(tls, broker, options));
        }

        return builder.Build();
    }

    private static void ConfigureTls(MqttClientTlsOptionsBuilder tls, BrokerAddress broker, UplinkOptions options)
    {
        tls.UseTls().WithTargetHost(broker.Host);
        if (!string.IsNullOrWhiteSpace(options.ClientCertificateFile))
        {
            var certFile = Path.GetFullPath(options.ClientCertificateFile);
            var keyFile = string.IsNullOrWhiteSpace(options.ClientKeyFile) ? certFile : Path.GetFullPath(options.ClientKeyFile);
            tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(certFile, keyFile)]);
        }

        if (!string.IsNullOrWhiteSpace(options.CaFile))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(Path.GetFullPath(options.CaFile));
            tls.WithCertificateValidationHandler(e =>
            {
                // Only the configured CA is trusted; the host name must still match.
                if ((e.SslPolicyErrors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || e.Certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(X509CertificateLoader.LoadCertificate(e.Certificate.GetRawCertData()));
            });
        }
    }
}
