namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

/// <summary>A site CA with the box's server certificate and a monitor's client certificate, plus a stranger's self-made one: TEST KEYS ONLY, made per run.</summary>
internal sealed class TestCertificates : IDisposable
{
    private static readonly Lazy<TestCertificates> Shared = new(() => new TestCertificates());

    private TestCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=EdgeTwin test site CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Server = Issue("CN=box.test", "1.3.6.1.5.5.7.3.1", Ca);
        Monitor = Issue("CN=monitor-1", "1.3.6.1.5.5.7.3.2", Ca);
        Stranger = Issue("CN=monitor-1", "1.3.6.1.5.5.7.3.2", null);
    }

    public static TestCertificates Instance => Shared.Value;

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Monitor { get; }

    /// <summary>Same subject as the monitor's, but self-signed: not from the site CA.</summary>
    public X509Certificate2 Stranger { get; }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Monitor.Dispose();
        Stranger.Dispose();
    }

    private static X509Certificate2 Issue(string subject, string usage, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        // A day inside the CA's validity: "now" read here is later than when the CA was made, and a
        // certificate may not outlive its issuer (CertificateRequest.Create refuses; it did when a second ticked between).
        var (from, to) = (DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29));
        if (issuer is null)
        {
            return request.CreateSelfSigned(from, to);
        }

        using var issued = request.Create(issuer, from, to, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }
}
