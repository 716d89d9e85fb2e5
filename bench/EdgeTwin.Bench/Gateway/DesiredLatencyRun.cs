namespace EdgeTwin.Bench.Gateway;

using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Hosting;
using EdgeTwin.Telemetry.Desired;
using EdgeTwin.Telemetry.Documents;
using EdgeTwin.Telemetry.Signing;
using MQTTnet;
using MQTTnet.Protocol;

/// <summary>
/// <c>desired-latency</c>: how long an operator's signed desired document takes to show as applied in
/// the gateway's signed reported twin, through a real mosquitto on loopback and the real gateway
/// (simulated ward). Each round publishes version n (a checkpoint cadence change, retained, QoS 1)
/// and stops the clock when a reported document says <c>desired.applied</c> = n: the time the cloud
/// sees from its own publish to the gateway's confirmation. Replaces the 2 s bound a test once held.
/// </summary>
internal static class DesiredLatencyRun
{
    private const string Base = "edgetwin/v1/sim-ward/sim-gw";

    public static int Run(int beds, int rounds, TextWriter output) =>
        GatewayLoadRun.WithMosquitto((dir, port) => Measure(dir, port, beds, rounds, output));

    private static int Measure(string dir, int port, int beds, int rounds, TextWriter output)
    {
        // TEST KEY ONLY: 32 bytes of 0x44, the operator.
        using var operatorKey = GatewayKey.FromPrivateKeyHex("0x" + new string('4', 64));
        var app = GatewayHost.CreateBuilder([.. GatewayLoadRun.Args(dir, port, beds), $"--Twin:OperatorAddresses:0={operatorKey.Address}"]).Build();
        app.StartAsync().GetAwaiter().GetResult();
        var applied = new ConcurrentDictionary<long, long>();
        using var cloud = new MqttClientFactory().CreateMqttClient();
        cloud.ApplicationMessageReceivedAsync += e =>
        {
            if (SignedEnvelope.TryOpen(e.ApplicationMessage.Payload.ToArray(), out var doc, out _, out _)
                && JsonNode.Parse(doc)?["state"]?["desired"]?["applied"]?.GetValue<long>() is { } version)
            {
                applied.TryAdd(version, Stopwatch.GetTimestamp());
            }

            return Task.CompletedTask;
        };
        cloud.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-cloud").Build()).GetAwaiter().GetResult();
        cloud.SubscribeAsync(Base + "/twin/reported", MqttQualityOfServiceLevel.AtLeastOnce).GetAwaiter().GetResult();

        // Warm-up: the first document also waits for the twin's first report and the JIT.
        var latencies = new List<double>();
        for (var version = 1L; version <= rounds + 1; version++)
        {
            var state = new JsonObject { ["checkpoint"] = new JsonObject { ["maxRecords"] = 200 + (version % 2) } };
            var envelope = DesiredEnvelope.Sign(new DesiredDocument("sim-gw", version, DateTimeOffset.UtcNow, state), operatorKey);
            var sent = Stopwatch.GetTimestamp();
            cloud.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Base + "/twin/desired").WithPayload(envelope)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build()).GetAwaiter().GetResult();
            var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
            long seen;
            while (!applied.TryGetValue(version, out seen))
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    output.WriteLine($"desired-latency: version {version} not reported as applied within 10 s");
                    return 1;
                }

                Thread.Sleep(1);
            }

            if (version > 1)
            {
                latencies.Add(Stopwatch.GetElapsedTime(sent, seen).TotalMilliseconds);
            }
        }

        cloud.DisconnectAsync().GetAwaiter().GetResult();
        app.StopAsync().GetAwaiter().GetResult();
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"desired-latency: {beds} beds, {latencies.Count} documents, desired publish -> reported applied: p50 {GatewayLoadRun.Percentile(latencies, 0.5):F1} ms, " +
            $"p95 {GatewayLoadRun.Percentile(latencies, 0.95):F1} ms, p99 {GatewayLoadRun.Percentile(latencies, 0.99):F1} ms, max {latencies.Max():F1} ms; load average {load}"));
        return 0;
    }
}
