namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Drivers.Tests.Support;
using EdgeTwin.Hl7v2;

/// <summary>MLLP over TLS with client certificates (issue 14): the real driver, a real <c>SslStream</c> on each side.</summary>
public class MllpTlsTests
{
    private static readonly TestCertificates Certificates = TestCertificates.Instance;

    private static string Msa1(Hl7Message ack) => ack.Segments.Single(s => s.Id == "MSA").Get(1);

    private static Func<Hl7MllpSettings, Hl7MllpSettings> Tls(X509Certificate2? root = null, params string[] thumbprints) =>
        s => s with
        {
            Tls = new MllpTlsSettings(Certificates.Server, root is null ? [] : [root], thumbprints.ToHashSet(StringComparer.OrdinalIgnoreCase)),
        };

    [Fact]
    public async Task MonitorWithACertificateFromTheClientCa_IsAcknowledgedAA()
    {
        await using var harness = await MllpDriverHarness.StartAsync(Tls(Certificates.Ca));
        await using var monitor = await harness.ConnectTlsAsync(Certificates.Monitor);

        Assert.Equal("AA", Msa1(await monitor.RoundTripAsync(Hl7Samples.Oru("T-1", Hl7Samples.HeartRate72))));
        Assert.Single(harness.Sink.Snapshot());
        Assert.Equal(0, harness.Driver.Counters.TlsRefusals);
    }

    [Fact]
    public async Task PinnedThumbprint_IsAccepted_WithoutACa()
    {
        await using var harness = await MllpDriverHarness.StartAsync(Tls(null, Certificates.Stranger.GetCertHashString(HashAlgorithmName.SHA256)));
        await using var pinned = await harness.ConnectTlsAsync(Certificates.Stranger);

        Assert.Equal("AA", Msa1(await pinned.RoundTripAsync(Hl7Samples.Oru("T-2", Hl7Samples.HeartRate72))));
    }

    public static TheoryData<string> Refused => new() { "none", "stranger" };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task NoOrAForeignClientCertificate_IsRefused_Counted_Logged_NoSamples(string presented)
    {
        await using var harness = await MllpDriverHarness.StartAsync(Tls(Certificates.Ca));
        var certificate = presented == "none" ? null : Certificates.Stranger;

        try
        {
            // TLS 1.3 tells the client of the refusal only at its first read.
            await using var client = await harness.ConnectTlsAsync(certificate);
            await client.SendAsync(Hl7Samples.Oru("T-3", Hl7Samples.HeartRate72));
            Assert.True(await client.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            // Refused during the handshake.
        }

        await Eventually.TrueAsync(() => harness.Driver.Counters.TlsRefusals == 1, "the refusal counted");
        Assert.Contains(harness.Logger.Lines, l => l.EventId == 4418);
        Assert.Empty(harness.Sink.Snapshot());
        await using var monitor = await harness.ConnectTlsAsync(Certificates.Monitor);
        Assert.Equal("AA", Msa1(await monitor.RoundTripAsync(Hl7Samples.Oru("T-4", Hl7Samples.HeartRate72))));
    }
}
