namespace EdgeTwin.Cli.Tests;

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EdgeTwin.Telemetry.Capture;
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
    public async Task Capture_WritesEveryMatchingMessage_InTheCaptureFormat()
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
        var entries = CaptureFile.Read(new StringReader(output)).ToList();
        Assert.Equal(payloads.Keys.Order(), entries.Select(e => e.Topic!).Order());
        Assert.All(entries, e => Assert.Equal(payloads[e.Topic!], e.Payload));
        Assert.Contains("2 messages", err, StringComparison.Ordinal);
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
