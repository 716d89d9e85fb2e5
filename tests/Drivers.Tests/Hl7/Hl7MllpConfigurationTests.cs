namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Net;
using System.Security.Cryptography.X509Certificates;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Hl7;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

public class Hl7MllpConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(
            new[] { ("Simulation:Beds", "0"), ("Devices:0:Type", "hl7-mllp"), ("Devices:0:Id", "icu-monitor-3") }.Concat(values)
                .GroupBy(v => v.Item1).Select(g => new KeyValuePair<string, string?>(g.Key, g.Last().Item2))).Build();

    private static Hl7MllpDriver Build(params (string Key, string Value)[] values) =>
        Assert.IsType<Hl7MllpDriver>(Assert.Single(new DriverFactory(new FakeTimeProvider()).Create(Config(values))));

    [Fact]
    public void Defaults_ListenOnLoopbackPort2575_InTheBoxZone()
    {
        var driver = Build();

        Assert.Equal("icu-monitor-3", driver.Info.DeviceId);
        Assert.Equal("tcp://127.0.0.1:2575", driver.Info.BusAddress);
        var s = driver.Settings;
        Assert.Equal((IPAddress.Loopback, 2575, 65536, TimeZoneInfo.Local), (s.Address, s.Port, s.MaxFrameBytes, s.LocalTimeZone));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(120)), (s.FrameTimeout, s.DegradedAfter, s.LostAfterSilence));
        Assert.Null(s.SendingApplication);
    }

    [Fact]
    public void EverySetting_IsApplied_AndAddressIsAnIpAddressNotAnI2cOne()
    {
        var driver = Build(
            ("Devices:0:Address", "0.0.0.0"), ("Devices:0:Port", "6661"), ("Devices:0:SendingApplication", "MONITOR"),
            ("Devices:0:SendingFacility", "ICU"), ("Devices:0:MaxFrameBytes", "4096"), ("Devices:0:ReadTimeoutMs", "2500"),
            ("Devices:0:SilenceDegradedSeconds", "10"), ("Devices:0:LostAfterSeconds", "60"), ("Devices:0:TimeZone", "UTC"));

        var s = driver.Settings;
        Assert.Equal((IPAddress.Any, 6661, "MONITOR", "ICU", 4096), (s.Address, s.Port, s.SendingApplication, s.SendingFacility, s.MaxFrameBytes));
        Assert.Equal((TimeSpan.FromMilliseconds(2500), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)), (s.FrameTimeout, s.DegradedAfter, s.LostAfterSilence));
        Assert.Equal(TimeSpan.Zero, s.LocalTimeZone.BaseUtcOffset);
        Assert.Equal("tcp://0.0.0.0:6661", driver.Info.BusAddress);
    }

    [Theory]
    [InlineData("Port", "0")]
    [InlineData("Port", "70000")]
    [InlineData("Port", "mllp")]
    [InlineData("Address", "localhost")]
    [InlineData("Address", "300.1.1.1")]
    [InlineData("TimeZone", "Mars/Olympus_Mons")]
    [InlineData("MaxFrameBytes", "10")]
    [InlineData("ReadTimeoutMs", "0")]
    [InlineData("SilenceDegradedSeconds", "0")]
    [InlineData("LostAfterSeconds", "30")]
    public void BadSetting_FailsNamingDeviceAndKey_BeforeAnythingIsBuilt(string key, string value)
    {
        var error = Assert.Throws<DriverConfigurationException>(() => new DriverFactory(new FakeTimeProvider()).Create(Config(($"Devices:0:{key}", value))));

        Assert.StartsWith($"Devices (icu-monitor-3, hl7-mllp):{key}: '{value}' is not valid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowedPeers_AddressesAndNetworks_AsAListOrCommaSeparated_DefaultTheMonitorAddress_ElseLoopback()
    {
        var listed = Build(("Devices:0:AllowedPeers:0", "10.20.0.15"), ("Devices:0:AllowedPeers:1", "10.30.0.0/24, fd00::/64"));
        var monitor = Build(("Devices:0:MonitorAddress", "10.20.0.15"));

        Assert.Equal(["10.20.0.15/32", "10.30.0.0/24", "fd00::/64"], listed.Settings.Peers.Select(p => p.ToString()));
        Assert.True(listed.Settings.Allows(IPAddress.Parse("10.30.0.200")));
        Assert.False(listed.Settings.Allows(IPAddress.Parse("10.20.0.16")));
        Assert.Equal(["10.20.0.15/32"], monitor.Settings.Peers.Select(p => p.ToString()));
        Assert.Equal(["127.0.0.0/8", "::1/128"], Build().Settings.Peers.Select(p => p.ToString()));
    }

    [Theory]
    [InlineData("AllowedPeers", "10.20.0.0/33")]
    [InlineData("AllowedPeers", "monitor.ward7")]
    [InlineData("MonitorAddress", "10.20.0.300")]
    public void BadPeer_FailsNamingDeviceAndKey(string key, string value)
    {
        var error = Assert.Throws<DriverConfigurationException>(() => DriverConfiguration.Read(Config(($"Devices:0:{key}", value))));

        Assert.StartsWith($"Devices (icu-monitor-3, hl7-mllp):{key}: '{value}' is not valid", error.Message, StringComparison.Ordinal);
    }

    /// <summary>MSH-3=EVIL was acknowledged AA: off loopback the expected sending application must be configured.</summary>
    [Fact]
    public void ListenerOffLoopback_WithoutSendingApplication_IsRefused()
    {
        var error = Assert.Throws<DriverConfigurationException>(() => DriverConfiguration.Read(Config(("Devices:0:Address", "0.0.0.0"))));

        Assert.StartsWith("Devices (icu-monitor-3, hl7-mllp):SendingApplication: '' is not valid; expected the MSH-3 the monitor sends: required when Address (0.0.0.0) is not loopback", error.Message, StringComparison.Ordinal);
        Assert.Null(Build().Settings.SendingApplication); // on loopback it stays optional
    }

    [Fact]
    public void Configuration_ReadsThePemFiles_AndRefusesTlsWithoutAClientCaOrThumbprint()
    {
        var dir = Directory.CreateTempSubdirectory("edgetwin-mllp-tls-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "box.pem"), TestCertificates.Instance.Server.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, "box.key"), TestCertificates.Instance.Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(Path.Combine(dir, "ca.pem"), TestCertificates.Instance.Ca.ExportCertificatePem());
            (string, string)[] tls = [("Devices:0:TlsCertificateFile", Path.Combine(dir, "box.pem")), ("Devices:0:TlsKeyFile", Path.Combine(dir, "box.key"))];

            var driver = Build([.. tls, ("Devices:0:TlsClientCaFile", Path.Combine(dir, "ca.pem"))]);
            var error = Assert.Throws<DriverConfigurationException>(() => DriverConfiguration.Read(Config(tls)));

            Assert.Equal(TestCertificates.Instance.Server.Thumbprint, driver.Settings.Tls!.ServerCertificate.Thumbprint);
            Assert.Equal([TestCertificates.Instance.Ca.Thumbprint], driver.Settings.Tls.ClientRoots.Select(c => c.Thumbprint));
            Assert.Contains("TlsClientCaFile", error.Message, StringComparison.Ordinal);
            Assert.Contains("client certificate", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TwoMonitorsOnOnePort_AreRejected()
    {
        var error = Assert.Throws<DriverConfigurationException>(() => DriverConfiguration.Read(Config(
            ("Devices:1:Type", "hl7-mllp"), ("Devices:1:Id", "icu-monitor-4"))));

        Assert.Equal("Devices:1:Port: '2575' is not valid; expected a port not already used by icu-monitor-3.", error.Message);
    }

    [Fact]
    public void TwoMonitorsOnTwoPorts_AreBoth_Built()
    {
        var drivers = new DriverFactory(new FakeTimeProvider()).Create(Config(
            ("Devices:1:Type", "HL7-MLLP"), ("Devices:1:Id", "icu-monitor-4"), ("Devices:1:Port", "2576")));

        Assert.Equal(["tcp://127.0.0.1:2575", "tcp://127.0.0.1:2576"], drivers.Select(d => d.Info.BusAddress));
    }

    [Fact]
    public void I2cDevices_StillReadTheirAddressAsI2c()
    {
        var error = Assert.Throws<DriverConfigurationException>(() => DriverConfiguration.Read(Config(
            ("Devices:1:Type", "mlx90614"), ("Devices:1:Id", "t1"), ("Devices:1:Address", "127.0.0.1"))));

        Assert.StartsWith("Devices:1:Address", error.Message, StringComparison.Ordinal);
    }
}
