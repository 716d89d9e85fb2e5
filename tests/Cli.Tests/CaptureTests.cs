namespace EdgeTwin.Cli.Tests;

using System.Collections.Concurrent;
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
        Assert.Contains("done: 1 records, 1 messages on status, twin, alarm-status, receipt, resend and probe topics skipped", err, StringComparison.Ordinal);
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
        await err.WaitForAsync("edgetwin capture: 5 s: 0 records, 0 messages on status, twin, alarm-status, receipt, resend and probe topics skipped", timeout.Token);
        time.Advance(TimeSpan.FromSeconds(5));
        await err.WaitForAsync("edgetwin capture: 10 s: 0 records, 0 messages on status, twin, alarm-status, receipt, resend and probe topics skipped", timeout.Token);
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(0, await run);
        Assert.Equal("edgetwin capture: done: 0 records, 0 messages on status, twin, alarm-status, receipt, resend and probe topics skipped", err.All[^1]);
        Assert.Equal(4, err.All.Count);
    }

    [Fact]
    public async Task Capture_WaitsWholeMilliseconds_SoTheLastFractionCannotRepeatTheProgressLine()
    {
        // Timers count whole milliseconds (the system's truncates a shorter wait to none): a wait of the
        // fraction left after a late tick ended at once, over and over, each time writing "10 s" again.
        var time = new MillisecondTimers(new FakeTimeProvider());
        var err = new Lines();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = CliApp.RunAsync(["capture", "--broker", $"mqtt://127.0.0.1:{port}", "--topic", "edgetwin/v1/#", "--seconds", "10"], new StringWriter(), err, time, timeout.Token);

        await err.WaitForAsync($"edgetwin capture: subscribed to edgetwin/v1/# on 127.0.0.1:{port} for 10 s", timeout.Token);
        time.Fake.Advance(TimeSpan.FromMilliseconds(5000.4)); // the first tick late by 0.4 ms
        await err.WaitForAsync("edgetwin capture: 5 s: 0 records, 0 messages on status, twin, alarm-status, receipt, resend and probe topics skipped", timeout.Token);
        time.Fake.Advance(TimeSpan.FromMilliseconds(4999));
        time.Fake.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, await run);
        Assert.All(time.Requested, due => Assert.True(due.Ticks % TimeSpan.TicksPerMillisecond == 0 && due >= TimeSpan.FromMilliseconds(1), $"a wait of {due.TotalMilliseconds} ms"));
        Assert.Equal(["5 s", "done"], err.All.Skip(1).Select(l => l.Split(':')[1].Trim()));
    }

    /// <summary>A clock whose timers, like the system's, count whole milliseconds (a shorter due time is none).</summary>
    private sealed class MillisecondTimers(FakeTimeProvider fake) : TimeProvider
    {
        public FakeTimeProvider Fake => fake;

        /// <summary>Every due time asked for.</summary>
        public ConcurrentQueue<TimeSpan> Requested { get; } = new();

        public override long TimestampFrequency => fake.TimestampFrequency;

        public override long GetTimestamp() => fake.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Requested.Enqueue(dueTime);
            return fake.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : TimeSpan.FromMilliseconds(Math.Floor(dueTime.TotalMilliseconds)), period);
        }
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
