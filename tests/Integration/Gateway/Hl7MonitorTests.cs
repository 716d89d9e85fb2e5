namespace EdgeTwin.Integration.Tests.Gateway;

using System.Globalization;
using EdgeTwin.Integration.Tests.Support;

/// <summary>
/// A bedside monitor over HL7 v2/MLLP into the real gateway: the ORU^R01 it sends over TCP is
/// acknowledged AA, and its vitals leave the box as verified obs records on the broker.
/// </summary>
public sealed class Hl7MonitorTests
{
    [Fact]
    public async Task MonitorOru_AckedAA_VitalsPublishedAsVerifiedObsRecords()
    {
        using var mosquitto = new Mosquitto();
        await using var capture = await Capture.StartAsync(mosquitto.Port);
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var port = Mosquitto.FreePort();
        var gateway = await InProcessGateway.StartAsync(InProcessGateway.Args(data, mosquitto.Port,
            "--Devices:0:Type=hl7-mllp", "--Devices:0:Id=icu-monitor", $"--Devices:0:Port={port}", "--Devices:0:Address=127.0.0.1"));

        using var monitor = await MllpMonitor.ConnectAsync(port, TimeSpan.FromSeconds(20));
        var now = DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+0000";
        var oru = $"MSH|^~\\&|MON|ICU|ET|BOX|{now}||ORU^R01|IT-1|P|2.6\rPID|1\rOBR|1\r"
            + $"OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||{now}\r"
            + $"OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||97|262688^MDC_DIM_PERCENT^MDC|||||F|||{now}\r";
        var ack = await monitor.SendAsync(oru);
        Assert.Contains("MSA|AA|IT-1", ack, StringComparison.Ordinal);

        await Wait.UntilAsync(() => Counts(capture).ContainsKey(("icu-monitor", "loinc:59408-5")), TimeSpan.FromSeconds(20), "the monitor's SpO2 on the broker");
        await gateway.StopAsync();
        await gateway.DisposeAsync();

        var counts = Counts(capture);
        Assert.Equal(1, counts[("icu-monitor", "loinc:8867-4")]);
        Assert.Equal(1, counts[("icu-monitor", "loinc:59408-5")]);
        var values = Verification.Kinds(capture.Records("telemetry"), "obs")
            .Where(r => r.GetProperty("body").GetProperty("device").GetString() == "icu-monitor")
            .ToDictionary(r => r.GetProperty("body").GetProperty("code").GetString()!, r => r.GetProperty("body").GetProperty("v")[0].GetDouble());
        Assert.Equal(72, values["loinc:8867-4"]);
        Assert.Equal(97, values["loinc:59408-5"]);
        foreach (var report in Verification.Verify(capture.AllRecords, Verification.GatewayAddress(data)))
        {
            Verification.AssertComplete(report, capture.AllRecords);
        }

        Directory.Delete(data, recursive: true);
    }

    /// <summary>
    /// The network attacks of issue 14 against a real gateway process: a machine not allowed is cut
    /// off at once, another allowed one cannot take the monitor's live connection over, and a message
    /// from another sending application (MSH-3=EVIL, acknowledged AA before) is refused AR; each
    /// refusal logged and counted on <c>/metrics</c>.
    /// </summary>
    [Fact]
    public async Task Stranger_CutOff_Takeover_Refused_EvilSender_AR_WhileTheMonitorGoesOn()
    {
        using var mosquitto = new Mosquitto();
        var data = Directory.CreateTempSubdirectory("edgetwin-it-").FullName;
        var port = Mosquitto.FreePort();
        var statusPort = Mosquitto.FreePort();
        using var gateway = GatewayProcess.Start(data, InProcessGateway.Args(data, mosquitto.Port, "--Simulation:Beds=0", $"--Status:Url=http://127.0.0.1:{statusPort}",
            "--Devices:0:Type=hl7-mllp", "--Devices:0:Id=icu-monitor", $"--Devices:0:Port={port}", "--Devices:0:Address=127.0.0.1",
            "--Devices:0:AllowedPeers=127.0.0.1,127.0.0.2", "--Devices:0:SendingApplication=MON"));
        var patience = TimeSpan.FromSeconds(30);

        using var monitor = await MllpMonitor.ConnectAsync(port, patience, System.Net.IPAddress.Parse("127.0.0.1"));
        Assert.Contains("MSA|AA|M-1", await monitor.SendAsync(Oru("MON", "M-1")), StringComparison.Ordinal);

        using var stranger = await MllpMonitor.ConnectAsync(port, patience, System.Net.IPAddress.Parse("127.0.0.3"));
        Assert.True(await stranger.ClosedByGatewayAsync(patience), "a peer not in AllowedPeers is closed at once");
        using var takeover = await MllpMonitor.ConnectAsync(port, patience, System.Net.IPAddress.Parse("127.0.0.2"));
        Assert.True(await takeover.ClosedByGatewayAsync(patience), "another peer is refused while the monitor's link lives");

        Assert.Contains("MSA|AA|M-2", await monitor.SendAsync(Oru("MON", "M-2")), StringComparison.Ordinal);
        var evil = await monitor.SendAsync(Oru("EVIL", "E-1"));
        Assert.Contains("MSA|AR|E-1", evil, StringComparison.Ordinal);
        Assert.Contains("Sending application 'EVIL' is not the configured 'MON'", evil, StringComparison.Ordinal);
        await Wait.UntilAsync(() => gateway.Stdout.Contains("refused: the monitor's link from 127.0.0.1", StringComparison.Ordinal), patience, "log line 4417");
        Assert.Contains("connection from 127.0.0.3", gateway.Stdout, StringComparison.Ordinal);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{statusPort}") };
        await Wait.UntilAsync(async () => Refusals(await scraper.GetStringAsync("/metrics")) == "message-ar=1 peer=1 takeover=1", patience,
            () => "edgetwin_device_refused{device=\"icu-monitor\"}: " + Refusals(scraper.GetStringAsync("/metrics").GetAwaiter().GetResult()));
        gateway.Terminate();
        Assert.True(gateway.WaitForExit(TimeSpan.FromSeconds(40)));
        Directory.Delete(data, recursive: true);
    }

    private static string Refusals(string metrics) => string.Join(' ', System.Text.RegularExpressions.Regex.Matches(metrics, @"^edgetwin_device_refused(_total)?\{[^}]*device=""icu-monitor""[^}]*what=""(?<w>[a-z-]+)""[^}]*\} (?<n>\d+)", System.Text.RegularExpressions.RegexOptions.Multiline)
        .Select(m => $"{m.Groups["w"].Value}={m.Groups["n"].Value}").Order(StringComparer.Ordinal));

    private static string Oru(string application, string controlId)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "+0000";
        return $"MSH|^~\\&|{application}|ICU|ET|BOX|{now}||ORU^R01|{controlId}|P|2.6\rPID|1\rOBR|1\r"
            + $"OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||{now}\r";
    }

    private static Dictionary<(string Device, string Code), long> Counts(Capture capture) => Verification.SampleCounts(capture.Records("telemetry"));
}
