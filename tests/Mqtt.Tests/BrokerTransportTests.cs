namespace EdgeTwin.Mqtt.Tests;

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeTwin.Mqtt.Tests.Support;
using MQTTnet;

public sealed class BrokerTransportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgetwin-mqtt-tests-").FullName;
    private readonly TestCertificateAuthority _ca = new();

    public BrokerTransportTests()
    {
        _ca.WriteCertificate(File("ca.pem"));
        using var client = _ca.IssueClient("edgetwin-ingest");
        TestCertificateAuthority.WritePem(client, File("client.pem"), File("client.key"));
    }

    [Fact]
    public void Check_PlainBrokerWithoutLogin_IsFine()
    {
        Assert.Empty(BrokerTransport.Check("Ingest", "mqtt://broker.site:1883", new Settings()));
    }

    [Fact]
    public void Check_BadBroker_NamesTheSetting()
    {
        var failure = Assert.Single(BrokerTransport.Check("Ingest", "http://broker:1883", new Settings()));
        Assert.StartsWith("Ingest:Broker: unknown scheme 'http'", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mqtt://10.0.0.5:1883")]
    [InlineData("mqtt://broker.site")]
    public void Check_PasswordInClearTextOffThisBox_IsRefusedNamingTheSwitch(string broker)
    {
        var failure = Assert.Single(BrokerTransport.Check("Ingest", broker, new Settings { Username = "ingest", Password = "secret" }));
        Assert.Contains("Ingest:Password", failure, StringComparison.Ordinal);
        Assert.Contains("Ingest:AllowPlainPassword=true", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mqtt://127.0.0.1:1883", false)]
    [InlineData("mqtt://localhost", false)]
    [InlineData("mqtt://10.0.0.5:1883", true)]
    [InlineData("mqtts://10.0.0.5:8883", false)]
    public void Check_PasswordOnLoopbackOverTlsOrAllowed_IsAccepted(string broker, bool allow)
    {
        Assert.Empty(BrokerTransport.Check("Uplink", broker, new Settings { Username = "gw", Password = "secret", AllowPlainPassword = allow }));
    }

    [Fact]
    public void Check_UsernameWithoutPasswordOverPlainMqtt_IsNotAPasswordLeak()
    {
        Assert.Empty(BrokerTransport.Check("Ingest", "mqtt://10.0.0.5", new Settings { Username = "ingest" }));
    }

    [Fact]
    public void Check_TlsFilesWithPlainMqtt_AreRefusedOnePerSetting()
    {
        var failures = BrokerTransport.Check("Ingest", "mqtt://broker:1883", new Settings { CaFile = File("ca.pem"), ClientCertificateFile = File("client.pem"), ClientKeyFile = File("client.key") });
        Assert.Equal(
            ["Ingest:CaFile", "Ingest:ClientCertificateFile", "Ingest:ClientKeyFile"],
            failures.Select(f => f[..f.IndexOf(' ', StringComparison.Ordinal)]));
        Assert.All(failures, f => Assert.Contains("is not mqtts://", f, StringComparison.Ordinal));
    }

    [Fact]
    public void Check_MissingFile_NamesSettingAndPath()
    {
        var failure = Assert.Single(BrokerTransport.Check("Ingest", "mqtts://broker", new Settings { CaFile = File("nope.pem") }));
        Assert.Equal($"Ingest:CaFile '{File("nope.pem")}' does not exist.", failure);
    }

    [Fact]
    public void Check_ValidTlsFiles_AreFine()
    {
        Assert.Empty(BrokerTransport.Check("Ingest", "mqtts://broker", TlsSettings()));
    }

    [Fact]
    public void Check_KeyWithoutCertificate_IsRefused()
    {
        var failure = Assert.Single(BrokerTransport.Check("Ingest", "mqtts://broker", new Settings { ClientKeyFile = File("client.key") }));
        Assert.Equal("Ingest:ClientKeyFile is set but Ingest:ClientCertificateFile is not.", failure);
    }

    [Fact]
    public void Check_CaFileWithoutCertificate_IsRefused()
    {
        System.IO.File.WriteAllText(File("empty.pem"), "not a certificate\n");
        var failure = Assert.Single(BrokerTransport.Check("Ingest", "mqtts://broker", new Settings { CaFile = File("empty.pem") }));
        Assert.Contains("Ingest:CaFile", failure, StringComparison.Ordinal);
        Assert.Contains("holds no PEM certificate", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_KeyOfAnotherCertificate_IsRefused()
    {
        using var other = _ca.IssueClient("other");
        TestCertificateAuthority.WritePem(other, File("other.pem"), File("other.key"));
        var failure = Assert.Single(BrokerTransport.Check("Ingest", "mqtts://broker", new Settings { ClientCertificateFile = File("client.pem"), ClientKeyFile = File("other.key") }));
        Assert.StartsWith("Ingest:ClientCertificateFile/Ingest:ClientKeyFile cannot be loaded", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CertificateWithoutKey_IsRefused()
    {
        var failure = Assert.Single(BrokerTransport.Check("Ingest", "mqtts://broker", new Settings { ClientCertificateFile = File("client.pem") }));
        Assert.StartsWith("Ingest:ClientCertificateFile/Ingest:ClientKeyFile cannot be loaded", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void WithBroker_Mqtts_UsesTlsTheHostNameAndTheClientCertificate()
    {
        var options = Build("mqtts://broker.site:9883", TlsSettings());
        var tcp = Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions);
        var endpoint = Assert.IsType<System.Net.DnsEndPoint>(tcp.RemoteEndpoint);
        Assert.Equal(("broker.site", 9883), (endpoint.Host, endpoint.Port));
        Assert.True(tcp.TlsOptions.UseTls);
        Assert.Equal("broker.site", tcp.TlsOptions.TargetHost);
        var presented = Assert.Single(tcp.TlsOptions.ClientCertificatesProvider.GetCertificates().Cast<X509Certificate2>());
        Assert.Equal("CN=edgetwin-ingest", presented.Subject);
        Assert.True(presented.HasPrivateKey);
        Assert.Equal(("ingest", "secret"), (options.Credentials.GetUserName(options), System.Text.Encoding.UTF8.GetString(options.Credentials.GetPassword(options))));
    }

    [Fact]
    public void WithBroker_PlainMqtt_HasNoTlsAndNoCredentialsWithoutUsername()
    {
        var options = Build("mqtt://broker.site", new Settings());
        var tcp = Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions);
        var endpoint = Assert.IsType<System.Net.DnsEndPoint>(tcp.RemoteEndpoint);
        Assert.Equal(("broker.site", 1883), (endpoint.Host, endpoint.Port));
        Assert.False(tcp.TlsOptions.UseTls);
        Assert.Null(options.Credentials);
    }

    [Fact]
    public void Validation_BrokerCertificateFromTheCaFile_IsTrustedThoughTheSystemDoesNotKnowIt()
    {
        using var server = _ca.IssueServer("broker.site");
        Assert.True(Validate(server, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Validation_BrokerCertificateFromAnotherCa_IsRefused()
    {
        using var rogue = new TestCertificateAuthority("rogue CA");
        using var server = rogue.IssueServer("broker.site");
        Assert.False(Validate(server, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Validation_HostNameMismatch_IsRefusedEvenFromTheCa()
    {
        using var server = _ca.IssueServer("other.site");
        Assert.False(Validate(server, SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static MqttClientOptions Build(string broker, BrokerTransportSettings settings)
    {
        Assert.True(BrokerAddress.TryParse(broker, out var address, out _));
        return new MqttClientOptionsBuilder().WithBroker(address!, settings).Build();
    }

    private bool Validate(X509Certificate2 server, SslPolicyErrors errors)
    {
        var options = Build("mqtts://broker.site", TlsSettings());
        var tls = ((MqttClientTcpOptions)options.ChannelOptions).TlsOptions;
        using var chain = new X509Chain();
        return tls.CertificateValidationHandler(new MqttClientCertificateValidationEventArgs(server, chain, errors, options.ChannelOptions));
    }

    private Settings TlsSettings() => new()
    {
        Username = "ingest",
        Password = "secret",
        CaFile = File("ca.pem"),
        ClientCertificateFile = File("client.pem"),
        ClientKeyFile = File("client.key"),
    };

    private string File(string name) => Path.Combine(_dir, name);

    private sealed class Settings : BrokerTransportSettings;
}
