namespace EdgeTwin.Drivers.Hl7;

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

/// <summary>
/// MLLP over TLS: the box shows <see cref="ServerCertificate"/> and requires a client certificate
/// that chains to one of <see cref="ClientRoots"/> (the only trust roots; the system store is not
/// used) or whose SHA-256 (or SHA-1) thumbprint is in <see cref="ClientThumbprints"/>.
/// </summary>
internal sealed record MllpTlsSettings(X509Certificate2 ServerCertificate, X509Certificate2Collection ClientRoots, IReadOnlySet<string> ClientThumbprints)
{
    /// <summary>Null when the client certificate is acceptable, else why not.</summary>
    public string? Judge(X509Certificate? presented, X509Chain? sent)
    {
        if (presented is null)
        {
            return "no client certificate";
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (ClientThumbprints.Contains(certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)) ||
            ClientThumbprints.Contains(certificate.Thumbprint))
        {
            return null;
        }

        if (ClientRoots.Count == 0)
        {
            return $"client certificate {certificate.Subject} is not among the allowed thumbprints";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        if (sent is not null)
        {
            // Intermediates the monitor sent along; trust still ends only at the CA file.
            foreach (var element in sent.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate) ? null : $"client certificate {certificate.Subject} does not chain to the configured client CA ({string.Join(", ", chain.ChainStatus.Select(s => s.Status))})";
    }

    public SslServerAuthenticationOptions ServerOptions(Action<string> refused) => new()
    {
        ServerCertificate = ServerCertificate,
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            var problem = Judge(certificate, chain);
            if (problem is not null)
            {
                refused(problem);
            }

            return problem is null;
        },
    };
}
