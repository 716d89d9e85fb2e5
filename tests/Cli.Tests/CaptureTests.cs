namespace EdgeTwin.Cli.Tests;

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeTwin.Telemetry.Capture;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;

/// <summary>Captures from a real mosquitto on a free port.</summary>
public sealed class CaptureTests : IAsyncLifetime
{
    private Process? broker;
    private int port;

    public async Task InitializeAsync()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var exe = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        broker = Process.Start(new ProcessStartInfo(exe, $"-p {port}") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Yield();
            }
        }
    }

    public Task DisposeAsync()
    {
        broker?.Kill();
        broker?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Capture_WritesTheRecordMessages_InTheCaptureFormat_AndCountsTheOthers()
    {
        var payloads = new Dictionary<string, byte[]>
        {
            ["edgetwin/v1/st-mary/ward7-bed12/telemetry"] = [1, 2, 3, 0xFF],
            ["edgetwin/v1/st-mary/ward7-bed12/status"] = "{\"online\":true}"u8.ToArray(),
        };
        var factory = new MqttClientFactory();
        using (var publisher = factory.CreateMqttClient())
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).Build(), timeout.Token);
            foreach (var (topic, payload) in payloads.Append(new("other/topic", [9])))
            {
                // Retained, so the capture receives them on subscribe without racing the publisher.
                var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag().WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build();
                await publisher.PublishAsync(message, timeout.Token);
            }

            await publisher.DisconnectAsync(factory.CreateClientDisconnectOptionsBuilder().Build(), timeout.Token);
        }

        var (exit, output, err) = await Cli.RunAsync("capture", "--broker", $"mqtt://127.0.0.1:{port}", "--topic", "edgetwin/v1/#", "--seconds", "1.5");

        Assert.True(exit == 0, err);
        var entry = Assert.Single(CaptureFile.Read(new StringReader(output)));
        Assert.Equal("edgetwin/v1/st-mary/ward7-bed12/telemetry", entry.Topic);
        Assert.Equal(payloads[entry.Topic!], entry.Payload);
        Assert.Contains("done: 1 records, 1 messages on status, twin, alarm-status, receipt and resend topics skipped", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_SaysWhenSubscribed_AndShowsTheCountsEveryFiveSeconds()
    {
        var time = new FakeTimeProvider();
        var err = new Lines();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = CliApp.RunAsync(["capture", "--broker", $"mqtt://127.0.0.1:{port}", "--topic", "edgetwin/v1/#", "--seconds", "12"], new StringWriter(), err, time, timeout.Token);

        await err.WaitForAsync($"edgetwin capture: subscribed to edgetwin/v1/# on 127.0.0.1:{port} for 12 s", timeout.Token);
        time.Advance(TimeSpan.FromSeconds(5));
        await err.WaitForAsync("edgetwin capture: 5 s: 0 records, 0 messages on status, twin, alarm-status, receipt and resend topics skipped", timeout.Token);
        time.Advance(TimeSpan.FromSeconds(5));
        await err.WaitForAsync("edgetwin capture: 10 s: 0 records, 0 messages on status, twin, alarm-status, receipt and resend topics skipped", timeout.Token);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(0, await run);
        Assert.Equal("edgetwin capture: done: 0 records, 0 messages on status, twin, alarm-status, receipt and resend topics skipped", err.All[^1]);
        Assert.Equal(4, err.All.Count);
    }

    /// <summary>Stderr as lines, with a wait for a given one (the command writes from its own task).</summary>
    private sealed class Lines : StringWriter
    {
        private readonly List<(string Line, TaskCompletionSource Seen)> waits = [];

        public List<string> All { get; } = [];

        public override void WriteLine(string? value)
        {
            lock (waits)
            {
                All.Add(value ?? string.Empty);
                waits.Where(w => w.Line == value).ToList().ForEach(w => w.Seen.TrySetResult());
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public Task WaitForAsync(string line, CancellationToken cancellationToken)
        {
            lock (waits)
            {
                var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waits.Add((line, seen));
                if (All.Contains(line))
                {
                    seen.TrySetResult();
                }

                return seen.Task.WaitAsync(cancellationToken);
            }
        }
    }

    [Fact]
    public async Task Capture_NoBroker_IsAClearError()
    {
        int closed;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closed = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (exit, _, err) = await Cli.RunAsync("capture", "--broker", $"mqtt://127.0.0.1:{closed}", "--topic", "#", "--seconds", "1");

        Assert.Equal(2, exit);
        Assert.StartsWith("edgetwin capture:", err, StringComparison.Ordinal);
    }
}
