namespace EdgeTwin.Mqtt;

using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

/// <summary>
/// The one place that checks and applies a broker transport: address, login, TLS with the
/// operator's CA file as the only trust root (host name checked) and an optional client certificate.
/// The gateway's uplink and the ingest both go through here, so they cannot drift apart.
/// </summary>
public static class BrokerTransport
{
    /// <summary>
    /// Everything wrong with <paramref name="broker"/> and <paramref name="settings"/>, each naming its
    /// setting under <paramref name="section"/> (<c>Uplink</c>, <c>Ingest</c>); empty when they are fine.
    /// Reads the certificate files so that a bad one refuses the start instead of every connect.
    /// </summary>
    public static IReadOnlyList<string> Check(string section, string? broker, BrokerTransportSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var failures = new List<string>();
        if (!BrokerAddress.TryParse(broker, out var address, out var problem))
        {
            failures.Add($"{section}:Broker: {problem}.");
            return failures;
        }

        var allPresent = true;
        foreach (var (name, file) in new[]
                 {
                     ("CaFile", settings.CaFile),
                     ("ClientCertificateFile", settings.ClientCertificateFile),
                     ("ClientKeyFile", settings.ClientKeyFile),
                 })
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                continue;
            }

            if (!address!.Tls)
            {
                failures.Add($"{section}:{name} is set but {section}:Broker '{broker}' is not mqtts://.");
                allPresent = false;
            }
            else if (!File.Exists(Path.GetFullPath(file)))
            {
                failures.Add($"{section}:{name} '{Path.GetFullPath(file)}' does not exist.");
                allPresent = false;
            }
        }

        if (!string.IsNullOrWhiteSpace(settings.ClientKeyFile) && string.IsNullOrWhiteSpace(settings.ClientCertificateFile))
        {
            failures.Add($"{section}:ClientKeyFile is set but {section}:ClientCertificateFile is not.");
        }
        else if (allPresent && address!.Tls)
        {
            CheckLoadable(section, settings, failures);
        }

        if (!string.IsNullOrEmpty(settings.Password) && !address!.Tls && !address.IsLoopback && !settings.AllowPlainPassword)
        {
            failures.Add($"{section}:Password would cross the network in clear text to {address}: use mqtts://, or set {section}:AllowPlainPassword=true to accept that.");
        }

        return failures;
    }

    /// <summary>Server (over <see cref="TcpStreamProvider"/>), login and (for mqtts) TLS of <paramref name="builder"/>.</summary>
    public static MqttClientOptionsBuilder WithBroker(this MqttClientOptionsBuilder builder, BrokerAddress broker, BrokerTransportSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(settings);
        // The connection itself is ours (kernel-sized socket buffers: TcpStreamProvider); MQTTnet layers TLS on it.
        builder.WithTcpServer(broker.Host, broker.Port).WithStreamProvider(TcpStreamProvider.Instance);
        if (!string.IsNullOrEmpty(settings.Username))
        {
            builder.WithCredentials(settings.Username, settings.Password ?? "");
        }

        if (broker.Tls)
        {
            builder.WithTlsOptions(tls => ConfigureTls(tls, broker, settings));
        }

        return builder;
    }

    private static void ConfigureTls(MqttClientTlsOptionsBuilder tls, BrokerAddress broker, BrokerTransportSettings settings)
    {
        tls.UseTls().WithTargetHost(broker.Host);
        if (!string.IsNullOrWhiteSpace(settings.ClientCertificateFile))
        {
            tls.WithClientCertificates([LoadClientCertificate(settings)]);
        }

        if (!string.IsNullOrWhiteSpace(settings.CaFile))
        {
            var roots = LoadRoots(settings.CaFile);
            tls.WithCertificateValidationHandler(e =>
            {
                // Only the configured CA is trusted; the host name must still match.
                if ((e.SslPolicyErrors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || e.Certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (e.Chain is not null)
                {
                    // Intermediates the broker sent along; trust still ends only at the CA file.
                    foreach (var element in e.Chain.ChainElements)
                    {
                        chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                    }
                }

                using var presented = X509CertificateLoader.LoadCertificate(e.Certificate.GetRawCertData());
                return chain.Build(presented);
            });
        }
    }

    private static X509Certificate2 LoadClientCertificate(BrokerTransportSettings settings)
    {
        var certFile = Path.GetFullPath(settings.ClientCertificateFile!);
        var keyFile = string.IsNullOrWhiteSpace(settings.ClientKeyFile) ? certFile : Path.GetFullPath(settings.ClientKeyFile);
        return X509Certificate2.CreateFromPemFile(certFile, keyFile);
    }

    private static X509Certificate2Collection LoadRoots(string caFile)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(Path.GetFullPath(caFile));
        return roots;
    }

    private static void CheckLoadable(string section, BrokerTransportSettings settings, List<string> failures)
    {
        if (!string.IsNullOrWhiteSpace(settings.CaFile))
        {
            try
            {
                if (LoadRoots(settings.CaFile).Count == 0)
                {
                    failures.Add($"{section}:CaFile '{Path.GetFullPath(settings.CaFile)}' holds no PEM certificate.");
                }
            }
            catch (CryptographicException ex)
            {
                failures.Add($"{section}:CaFile '{Path.GetFullPath(settings.CaFile)}' cannot be read: {ex.Message}");
            }
        }

        if (!string.IsNullOrWhiteSpace(settings.ClientCertificateFile))
        {
            try
            {
                // Throws when there is no key, or the key is another certificate's.
                LoadClientCertificate(settings).Dispose();
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                failures.Add($"{section}:ClientCertificateFile/{section}:ClientKeyFile cannot be loaded as a PEM certificate and its key: {ex.Message}");
            }
        }
    }
}
