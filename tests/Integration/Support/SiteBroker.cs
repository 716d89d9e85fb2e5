namespace EdgeTwin.Integration.Tests.Support;

using EdgeTwin.Mqtt.Tests.Support;

/// <summary>
/// mosquitto run with the shipped <c>deploy/mosquitto</c> configuration: <c>edgetwin.conf</c> with
/// only its paths and port changed, the <c>acl</c> file byte for byte, and certificates from a test
/// CA made here (broker: 127.0.0.1 and localhost; clients: any common name).
/// </summary>
internal sealed class SiteBroker : IDisposable
{
    private const string ConfigDirectory = "/etc/mosquitto/edgetwin/";
    private const string PersistenceDirectory = "/var/lib/mosquitto/";
    private const string Listener = "listener 8883";
    private readonly string _files = Directory.CreateTempSubdirectory("edgetwin-pki-").FullName;

    public SiteBroker()
    {
        Authority = new TestCertificateAuthority("EdgeTwin test site CA");
        CaFile = Path.Combine(_files, "ca.pem");
        Authority.WriteCertificate(CaFile);
        var deploy = Path.Combine(Repository.Root, "deploy", "mosquitto");
        var shipped = File.ReadAllText(Path.Combine(deploy, "edgetwin.conf"));
        foreach (var expected in new[] { ConfigDirectory, PersistenceDirectory, Listener + "\n" })
        {
            Assert.Contains(expected, shipped, StringComparison.Ordinal); // the rendering below must still apply
        }

        Mosquitto = new Mosquitto((dir, port) =>
        {
            File.Copy(CaFile, Path.Combine(dir, "ca.pem"));
            using (var server = Authority.IssueServer("127.0.0.1", "localhost"))
            {
                TestCertificateAuthority.WritePem(server, Path.Combine(dir, "broker.pem"), Path.Combine(dir, "broker.key"));
            }

            File.Copy(Path.Combine(deploy, "acl"), Path.Combine(dir, "acl"));
            return shipped
                .Replace(ConfigDirectory, dir + "/", StringComparison.Ordinal)
                .Replace(PersistenceDirectory, dir + "/", StringComparison.Ordinal)
                .Replace(Listener + "\n", $"listener {port} 127.0.0.1\n", StringComparison.Ordinal);
        });
    }

    /// <summary>The certificate name of the ingest in <c>deploy/mosquitto/acl</c>.</summary>
    public const string IngestName = "edgetwin.ingest";

    public TestCertificateAuthority Authority { get; }

    public Mosquitto Mosquitto { get; }

    public string CaFile { get; }

    public string Url => $"mqtts://127.0.0.1:{Mosquitto.Port}";

    /// <summary>A client certificate and key (PEM files) with <paramref name="commonName"/>, i.e. that MQTT user name.</summary>
    public (string Certificate, string Key) Client(string commonName)
    {
        var certificate = Path.Combine(_files, commonName + ".pem");
        var key = Path.Combine(_files, commonName + ".key");
        using var issued = Authority.IssueClient(commonName);
        TestCertificateAuthority.WritePem(issued, certificate, key);
        return (certificate, key);
    }

    /// <summary>The <c>Uplink:*</c> or <c>Ingest:*</c> transport settings for a client named <paramref name="commonName"/>.</summary>
    public string[] Settings(string section, string commonName)
    {
        var (certificate, key) = Client(commonName);
        return
        [
            $"--{section}:Broker={Url}", $"--{section}:CaFile={CaFile}",
            $"--{section}:ClientCertificateFile={certificate}", $"--{section}:ClientKeyFile={key}",
        ];
    }

    public void Dispose()
    {
        Mosquitto.Dispose();
        Authority.Dispose();
        Directory.Delete(_files, recursive: true);
    }
}
