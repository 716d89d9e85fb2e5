namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Net;
using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Support;
using EdgeTwin.Hl7v2;

/// <summary>
/// Who may feed the bedside over MLLP (issue 14), against the real driver over real loopback
/// sockets: 127.0.0.1 plays the monitor, 127.0.0.2 and 127.0.0.3 other machines on the network.
/// </summary>
public class MllpAccessTests
{
    private static readonly IPAddress Monitor = IPAddress.Parse("127.0.0.1");
    private static readonly IPAddress Neighbour = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Stranger = IPAddress.Parse("127.0.0.3");
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static string Msa1(Hl7Message ack) => ack.Segments.Single(s => s.Id == "MSA").Get(1);

    private static Func<Hl7MllpSettings, Hl7MllpSettings> Peers(params string[] peers) =>
        s => s with { AllowedPeers = [.. peers.Select(IPNetwork.Parse)] };

    [Fact]
    public async Task PeerNotAllowed_IsClosedAtOnce_LoggedAndCounted_AndTheMonitorStillConnects()
    {
        await using var harness = await MllpDriverHarness.StartAsync(Peers("127.0.0.1/32", "127.0.0.2/32"));
        await using var stranger = await harness.ConnectAsync(Stranger);

        Assert.True(await stranger.IsClosedByPeerAsync(Wait));
        await Eventually.TrueAsync(() => harness.Driver.Counters.PeersRefused == 1, "the refusal counted");
        Assert.Contains(harness.Logger.Lines, l => l.EventId == 4416 && l.Text.Contains("127.0.0.3", StringComparison.Ordinal));
        await using var monitor = await harness.ConnectAsync(Monitor);
        Assert.Equal("AA", Msa1(await monitor.RoundTripAsync(Hl7Samples.Oru("M-1", Hl7Samples.HeartRate72))));
        Assert.Single(harness.Sink.Snapshot());
    }

    [Fact]
    public void NoAllowedPeers_TakesLoopbackOnly()
    {
        var settings = new Hl7MllpSettings("m", IPAddress.Any, 0, Hl7Samples.Berlin);

        Assert.True(settings.Allows(IPAddress.Parse("127.0.0.9")));
        Assert.True(settings.Allows(IPAddress.IPv6Loopback));
        Assert.True(settings.Allows(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(settings.Allows(IPAddress.Parse("10.20.0.15")));
        Assert.False(settings.Allows(IPAddress.Parse("::ffff:10.20.0.15")));
    }

    /// <summary>The takeover attack: another allowed machine connects while the monitor's link lives. It used to replace the monitor's connection.</summary>
    [Fact]
    public async Task Takeover_ByAnotherPeer_IsRefusedWhileTheMonitorsLinkLives_AndTheMonitorGoesOn()
    {
        await using var harness = await MllpDriverHarness.StartAsync(Peers("127.0.0.0/8"));
        await using var monitor = await harness.ConnectAsync(Monitor);
        await monitor.RoundTripAsync(Hl7Samples.Oru("M-1", Hl7Samples.HeartRate72));

        await using var attacker = await harness.ConnectAsync(Neighbour);
        await attacker.SendAsync(Hl7Samples.Oru("EVIL-1", Hl7Samples.SpO2Of97));

        Assert.True(await attacker.IsClosedByPeerAsync(Wait));
        Assert.Equal("AA", Msa1(await monitor.RoundTripAsync(Hl7Samples.Oru("M-2", Hl7Samples.HeartRate72))));
        Assert.Equal((1L, 0L), (harness.Driver.Counters.TakeoversRefused, harness.Driver.Counters.ConnectionsReplaced));
        Assert.Equal([StreamCodes.HeartRate.Code, StreamCodes.HeartRate.Code], harness.Sink.Snapshot().Select(s => s.Stream.Code));
        Assert.Contains(harness.Logger.Lines, l => l.EventId == 4417 && l.Text.Contains("127.0.0.2", StringComparison.Ordinal));
    }

    /// <summary>A half-open link (the monitor's cable pulled) cannot be told from a quiet one until it has been silent for the lost limit: then another allowed peer takes over.</summary>
    [Fact]
    public async Task AnotherPeer_TakesOver_OnceTheLinkWasSilentForTheLostLimit()
    {
        await using var harness = await MllpDriverHarness.StartAsync(s => Peers("127.0.0.0/8")(s) with { SilenceDegraded = TimeSpan.FromSeconds(30), LostAfter = TimeSpan.FromSeconds(120) });
        await using var halfOpen = await harness.ConnectAsync(Monitor);
        await halfOpen.RoundTripAsync(Hl7Samples.Oru("M-1", Hl7Samples.HeartRate72));

        harness.Time.Advance(TimeSpan.FromSeconds(121));
        await using var standby = await harness.ConnectAsync(Neighbour);

        Assert.Equal("AA", Msa1(await standby.RoundTripAsync(Hl7Samples.Oru("S-1", Hl7Samples.SpO2Of97))));
        Assert.True(await halfOpen.IsClosedByPeerAsync(Wait));
        Assert.Equal((0L, 1L), (harness.Driver.Counters.TakeoversRefused, harness.Driver.Counters.ConnectionsReplaced));
    }

    /// <summary>The slow loris: a peer sending one byte every 2 s kept a frame open as long as it liked (each read had its own timeout).</summary>
    [Fact]
    public async Task FrameTrickledOneByteEvery2s_IsCutOffAtTheFrameTimeout_NotKeptOpen()
    {
        await using var harness = await MllpDriverHarness.StartAsync(s => s with { ReadTimeout = TimeSpan.FromSeconds(5) });
        await using var loris = await harness.ConnectAsync();
        await loris.SendRawAsync([MllpFrameReader.StartBlock, (byte)'M']);

        // Ten more bytes, 2 s apart: 20 s of frame, four times the timeout. Each read came within
        // the read timeout, so the old reader kept the frame open to the end.
        var closed = false;
        for (var sent = 0; sent < 10 && !closed; sent++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(2));
            try
            {
                await loris.SendRawAsync([(byte)'S']);
                closed = await loris.IsClosedByPeerAsync(TimeSpan.FromMilliseconds(200));
            }
            catch (IOException)
            {
                closed = true;
            }
        }

        Assert.True(closed, "the frame outlived the frame timeout while bytes kept trickling in");
        Assert.Equal(1, harness.Driver.Counters.FramesTimedOut);
        await Eventually.TrueAsync(() => harness.Logger.Lines.Any(l => l.EventId == 4404 && l.Text.Contains("a frame took more than 5 s", StringComparison.Ordinal)), "the connection's end logged with its reason");
        Assert.Empty(harness.Sink.Snapshot());
    }

    /// <summary>MSH-3=EVIL was acknowledged AA while no sending application was configured; with one, another is refused AR.</summary>
    [Fact]
    public async Task MessageFromAnotherSendingApplication_IsRefusedAR_Counted_NoSamples()
    {
        await using var harness = await MllpDriverHarness.StartAsync(s => s with { SendingApplication = "MONITOR" });
        await using var peer = await harness.ConnectAsync();

        var evil = await peer.RoundTripAsync(Hl7Samples.Oru("EVIL-1", Hl7Samples.HeartRate72).Replace("|MONITOR|", "|EVIL|", StringComparison.Ordinal));
        var good = await peer.RoundTripAsync(Hl7Samples.Oru("GOOD-1", Hl7Samples.HeartRate72));

        Assert.Equal(("AR", "MSH^3"), (Msa1(evil), evil.Segments.Single(s => s.Id == "ERR").Raw(2)));
        Assert.Equal("AA", Msa1(good));
        Assert.Equal((1L, 1L), (harness.Driver.Counters.MessagesRejected, harness.Driver.Counters.MessagesAccepted));
        Assert.Single(harness.Sink.Snapshot());
    }
}
