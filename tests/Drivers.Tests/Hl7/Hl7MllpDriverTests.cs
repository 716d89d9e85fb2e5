namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeTwin.Drivers.Hl7;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Support;
using EdgeTwin.Hl7v2;
using Microsoft.Extensions.Time.Testing;

/// <summary>The driver over real loopback sockets: a test client plays the monitor.</summary>
public class Hl7MllpDriverTests
{
    private static string Msa1(Hl7Message ack) => ack.Segments.Single(s => s.Id == "MSA").Get(1);

    private static string Msa2(Hl7Message ack) => ack.Segments.Single(s => s.Id == "MSA").Get(2);

    [Fact]
    public async Task Oru_IsAcknowledgedAA_AndItsSamplesArriveInTheSink()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        await using var monitor = await harness.ConnectAsync();

        var ack = await monitor.RoundTripAsync(Hl7Samples.Oru("MSG-1", Hl7Samples.HeartRate72, Hl7Samples.SpO2Of97));

        Assert.Equal(("AA", "MSG-1"), (Msa1(ack), Msa2(ack)));
        Assert.Equal("ACK", ack.Header.Get(9, 1));
        var samples = harness.Sink.Snapshot();
        Assert.Equal([(StreamCodes.HeartRate.Code, 72.0), (StreamCodes.SpO2.Code, 97.0)], samples.Select(s => (s.Stream.Code, s.Value!.Value)));
        Assert.All(samples, s => Assert.Equal("monitor-1", s.DeviceId));
        Assert.Equal(1, harness.Driver.Counters.MessagesAccepted);
    }

    [Fact]
    public async Task Malformed_GetsAE_ChangesNothing_AndTheConnectionGoesOn()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        await using var monitor = await harness.ConnectAsync();

        var bad = await monitor.RoundTripAsync(Hl7Samples.Header("BAD-1") + "\r" + Hl7Samples.HeartRate72 + "\rOBR|1\r");
        Assert.Equal(("AE", "BAD-1"), (Msa1(bad), Msa2(bad)));
        Assert.Empty(harness.Sink.Snapshot());
        Assert.Equal(DeviceHealth.Degraded, harness.Driver.Health);

        var good = await monitor.RoundTripAsync(Hl7Samples.Oru("GOOD-1", Hl7Samples.HeartRate72));
        Assert.Equal("AA", Msa1(good));
        Assert.Single(harness.Sink.Snapshot());
        Assert.Equal(1, harness.Driver.Counters.MessagesInError);
        Assert.True(harness.Logger.Has(4409));
    }

    [Fact]
    public async Task OtherMessageType_GetsAR_AndNoSamples()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        await using var monitor = await harness.ConnectAsync();

        var ack = await monitor.RoundTripAsync(Hl7Samples.Header("ADT-1", "ADT^A01") + "\rPID|||1\r");

        Assert.Equal(("AR", "ADT-1"), (Msa1(ack), Msa2(ack)));
        Assert.Empty(harness.Sink.Snapshot());
        Assert.Equal(1, harness.Driver.Counters.MessagesRejected);
    }

    [Fact]
    public async Task DuplicateControlId_IsAckedTwice_ButGivesOneSetOfSamples()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        await using var monitor = await harness.ConnectAsync();
        var message = Hl7Samples.Oru("MSG-7", Hl7Samples.HeartRate72, Hl7Samples.SpO2Of97);

        var first = await monitor.RoundTripAsync(message);
        var resent = await monitor.RoundTripAsync(message);

        Assert.Equal([("AA", "MSG-7"), ("AA", "MSG-7")], [(Msa1(first), Msa2(first)), (Msa1(resent), Msa2(resent))]);
        Assert.Equal(2, harness.Sink.Snapshot().Count);
        Assert.Equal((1L, 1L), (harness.Driver.Counters.MessagesAccepted, harness.Driver.Counters.Duplicates));
    }

    [Fact]
    public async Task DuplicateAfterReconnect_IsStillRecognised()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        var message = Hl7Samples.Oru("MSG-8", Hl7Samples.HeartRate72);
        await using (var before = await harness.ConnectAsync())
        {
            await before.RoundTripAsync(message);
        }

        await using var after = await harness.ConnectAsync();
        var ack = await after.RoundTripAsync(message);

        Assert.Equal("AA", Msa1(ack));
        Assert.Single(harness.Sink.Snapshot());
    }

    [Fact]
    public async Task OverLongFrame_IsDiscardedWithAE_AndTheConnectionSurvives()
    {
        await using var harness = await MllpDriverHarness.StartAsync(s => s with { MaxFrameBytes = 1024 });
        await using var monitor = await harness.ConnectAsync();
        var big = Hl7Samples.Oru("BIG-1", Hl7Samples.HeartRate72) + "NTE|1||" + new string('x', 5000) + "\r";

        var refused = await monitor.RoundTripAsync(big);
        var next = await monitor.RoundTripAsync(Hl7Samples.Oru("SMALL-1", Hl7Samples.SpO2Of97));

        Assert.Equal(("AE", "BIG-1"), (Msa1(refused), Msa2(refused)));
        Assert.Equal(("AA", "SMALL-1"), (Msa1(next), Msa2(next)));
        Assert.Equal(StreamCodes.SpO2.Code, Assert.Single(harness.Sink.Snapshot()).Stream.Code);
        Assert.Equal(1, harness.Driver.Counters.OversizeFrames);
        Assert.True(harness.Logger.Has(4408));
    }

    [Fact]
    public async Task GarbageAndBrokenFrames_AreDiscardedLoggedAndCounted_NextMessageIsAccepted()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        await using var monitor = await harness.ConnectAsync();
        await monitor.SendRawAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n"));
        await monitor.SendRawAsync([0x0B, .. Encoding.ASCII.GetBytes("MSH|^~\\&|cut"), 0x1C, 0x41]);

        var ack = await monitor.RoundTripAsync(Hl7Samples.Oru("AFTER-1", Hl7Samples.HeartRate72));

        Assert.Equal(("AA", "AFTER-1"), (Msa1(ack), Msa2(ack)));
        Assert.Single(harness.Sink.Snapshot());
        Assert.Equal(18 + 1, harness.Driver.Counters.GarbageBytes);
        Assert.Equal(1, harness.Driver.Counters.BrokenFrames);
        Assert.True(harness.Logger.Has(4406) && harness.Logger.Has(4407));
    }

    [Fact]
    public async Task SecondConnection_FromTheSamePeer_ReplacesTheFirst()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        await using var old = await harness.ConnectAsync();
        await old.RoundTripAsync(Hl7Samples.Oru("OLD-1", Hl7Samples.HeartRate72));

        await using var fresh = await harness.ConnectAsync();
        var ack = await fresh.RoundTripAsync(Hl7Samples.Oru("NEW-1", Hl7Samples.SpO2Of97));

        Assert.Equal("AA", Msa1(ack));
        Assert.True(await old.IsClosedByPeerAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, harness.Driver.Counters.ConnectionsReplaced);
        Assert.Equal(2, harness.Sink.Snapshot().Count);
    }

    [Fact]
    public async Task FrameThatStalls_PastTheReadTimeout_ClosesTheConnection_AndTheNextConnectionWorks()
    {
        await using var harness = await MllpDriverHarness.StartAsync(s => s with { ReadTimeout = TimeSpan.FromSeconds(5) });
        await using var monitor = await harness.ConnectAsync();
        await monitor.SendRawAsync([0x0B, .. Encoding.ASCII.GetBytes("MSH|^~\\&|half a mess")]);

        var closed = false;
        for (var i = 0; i < 200 && !closed; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
            closed = await monitor.IsClosedByPeerAsync(TimeSpan.FromMilliseconds(50));
        }

        Assert.True(closed);
        Assert.Empty(harness.Sink.Snapshot());
        await using var again = await harness.ConnectAsync();
        Assert.Equal("AA", Msa1(await again.RoundTripAsync(Hl7Samples.Oru("M-2", Hl7Samples.HeartRate72))));
    }

    [Fact]
    public async Task Health_LostBeforeAnyMonitor_OkWhileSending_DegradedWhenSilent_LostLongAfterDisconnect()
    {
        await using var harness = await MllpDriverHarness.StartAsync(s => s with { SilenceDegraded = TimeSpan.FromSeconds(30), LostAfter = TimeSpan.FromSeconds(120) });
        var driver = harness.Driver;
        Assert.Equal(DeviceHealth.Lost, driver.Health);

        var monitor = await harness.ConnectAsync();
        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Degraded, "connected, nothing sent yet: Degraded");
        await monitor.RoundTripAsync(Hl7Samples.Oru("H-1", Hl7Samples.HeartRate72));
        Assert.Equal(DeviceHealth.Ok, driver.Health);

        harness.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(DeviceHealth.Degraded, driver.Health);
        await monitor.RoundTripAsync(Hl7Samples.Oru("H-2", Hl7Samples.HeartRate72));
        Assert.Equal(DeviceHealth.Ok, driver.Health);

        await monitor.DisposeAsync();
        await Eventually.TrueAsync(() => driver.Health == DeviceHealth.Degraded, "disconnected: Degraded");
        harness.Time.Advance(TimeSpan.FromSeconds(119));
        Assert.Equal(DeviceHealth.Degraded, driver.Health);
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(DeviceHealth.Lost, driver.Health);
        Assert.Equal(
            ["Degraded", "Ok", "Degraded", "Ok", "Degraded", "Lost"],
            harness.Logger.Lines.Where(l => l.EventId == 4412).Select(l => l.Text.Split("health is now ")[1].Split(':')[0]));
    }

    [Fact]
    public async Task ConnectedButSilentForTheLostLimit_IsLost()
    {
        await using var harness = await MllpDriverHarness.StartAsync(s => s with { SilenceDegraded = TimeSpan.FromSeconds(30), LostAfter = TimeSpan.FromSeconds(120) });
        await using var monitor = await harness.ConnectAsync();
        await monitor.RoundTripAsync(Hl7Samples.Oru("S-1", Hl7Samples.HeartRate72));

        harness.Time.Advance(TimeSpan.FromSeconds(121));

        Assert.Equal(DeviceHealth.Lost, harness.Driver.Health);
    }

    [Fact]
    public async Task TheNcExampleOfHardwareReadme_IsAccepted()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        await using var monitor = await harness.ConnectAsync();

        // Byte for byte what hardware/README.md's printf sends.
        await monitor.SendRawAsync(Encoding.Latin1.GetBytes(
            "\x0bMSH|^~\\&|MON|ICU|ET|BOX|20260701120000+0200||ORU^R01|T1|P|2.6\rOBR|1\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F\r\x1c\r"));
        var ack = await monitor.ReadAckAsync();

        Assert.Equal(("AA", "T1"), (Msa1(ack), Msa2(ack)));
        Assert.Equal(72, Assert.Single(harness.Sink.Snapshot()).Value);
    }

    [Fact]
    public async Task PortInUse_DoesNotThrow_DeviceIsLost_AndStopsCleanly()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var port = ((IPEndPoint)occupier.LocalEndpoint).Port;
        var logger = new RecordingLogger();
        await using var driver = new Hl7MllpDriver(new Hl7MllpSettings("monitor-2", IPAddress.Loopback, port, Hl7Samples.Berlin), new FakeTimeProvider(), logger);
        using var stop = new CancellationTokenSource();

        var run = driver.RunAsync(new CollectingSink(), stop.Token);
        await Eventually.TrueAsync(() => logger.Has(4402), "bind failure logged");

        Assert.Equal(DeviceHealth.Lost, driver.Health);
        Assert.False(driver.Listening.IsCompleted);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ReferenceIdDisagreements_AreCountedEveryTime_AndLoggedOncePerDisagreement()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        await using var monitor = await harness.ConnectAsync();

        var message = Hl7Corpus.Load("disagreeing-reference-ids");
        Assert.Equal("AA", Msa1(await monitor.RoundTripAsync(message)));
        Assert.Equal("AA", Msa1(await monitor.RoundTripAsync(message.Replace("|VSM-3003|P|", "|VSM-3004|P|", StringComparison.Ordinal))));

        Assert.Equal(10, harness.Driver.Counters.ReferenceIdDisagreements);
        Assert.Equal(5, harness.Logger.Lines.Count(l => l.EventId == 4414));
        Assert.Equal(4, harness.Driver.Counters.ObservationsSkipped);
        Assert.Equal(10, harness.Sink.Snapshot().Count);
    }

    [Fact]
    public async Task DeviceHierarchyRows_AreCounted_NotSkipped()
    {
        await using var harness = await MllpDriverHarness.StartAsync();
        await using var monitor = await harness.ConnectAsync();

        var ack = await monitor.RoundTripAsync(Hl7Corpus.Load("vendor-gateway-hierarchy"));

        Assert.Equal("", ack.Segments.Single(s => s.Id == "MSA").Get(3));
        Assert.Equal(6, harness.Driver.Counters.DescriptionRows);
        Assert.Equal(0, harness.Driver.Counters.ObservationsSkipped);
        Assert.False(harness.Logger.Has(4411));
        Assert.Equal(6, harness.Sink.Snapshot().Count);
    }
}
