namespace EdgeTwin.Mqtt.Tests.Support;

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

/// <summary>
/// A throw-away CA made in memory (ECDSA P-256): a broker certificate for given host names and
/// client certificates whose common name is the MQTT user name. Shared by the unit tests and the
/// integration tests (linked there), so both prove the same chain the operator's openssl makes.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private long _serial = 1;

    public TestCertificateAuthority(string name = "EdgeTwin test CA")
    {
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(60));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>A broker certificate: each name becomes an IP or DNS subject alternative name.</summary>
    public X509Certificate2 IssueServer(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        return Issue(names[0], ServerAuth, san.Build());
    }

    /// <summary>A client certificate; mosquitto's <c>use_identity_as_username</c> makes the CN the user name.</summary>
    public X509Certificate2 IssueClient(string commonName) => Issue(commonName, ClientAuth, null);

    /// <summary>Writes the CA certificate as PEM.</summary>
    public void WriteCertificate(string path) => File.WriteAllText(path, Certificate.ExportCertificatePem());

    /// <summary>Writes a certificate and its private key (PKCS#8) as two PEM files, the key 0600.</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no private key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    private X509Certificate2 Issue(string commonName, Oid usage, X509Extension? subjectAlternativeName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        if (subjectAlternativeName is not null)
        {
            request.CertificateExtensions.Add(subjectAlternativeName);
        }

        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial));
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
