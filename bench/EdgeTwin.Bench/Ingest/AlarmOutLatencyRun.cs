namespace EdgeTwin.Bench.Ingest;

using System.Diagnostics;
using System.Globalization;
using EdgeTwin.Bench.Gateway;
using EdgeTwin.Gateway.Chains;
using EdgeTwin.Ingest;
using EdgeTwin.Ingest.AlarmsOut;
using EdgeTwin.Ingest.Mqtt;
using EdgeTwin.Ingest.Tests.Support;
using EdgeTwin.Telemetry.Records;
using EdgeTwin.Telemetry.Signing;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>alarm-out-latency</c>: the real gateway (stable simulated beds plus the bench trigger) → a real
/// mosquitto on loopback → the real ingest (LiteDB) → a test alarm manager on loopback MLLP. Each
/// trigger sample raises or clears the hr-high alarm; timed from the moment the box committed the
/// alarm record (outbox commit, fsync) to the moment its ORU^R40 frame is read off the manager's
/// socket. The span covers: publish of the alarm and its checkpoint, the broker, the ingest's
/// verify-and-store transaction that queues the PCD-04 (fsync), the sender marking it sent (fsync)
/// and the MLLP write.
/// </summary>
internal static class AlarmOutLatencyRun
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(100);

    public static Task<int> RunAsync(int beds, int rounds, TextWriter output) =>
        Task.FromResult(GatewayLoadRun.WithMosquitto((dir, port) => MeasureAsync(dir, port, beds, rounds, output).GetAwaiter().GetResult()));

    private static async Task<int> MeasureAsync(string dir, int port, int beds, int rounds, TextWriter output)
    {
        await using var manager = new TestAlarmManager();
        var keyFile = Path.Combine(dir, "gateway.key");
        string address;
        using (var key = GatewayKey.Generate())
        {
            key.SaveToFile(keyFile);
            address = key.Address;
        }

        var ingestDir = Path.Combine(dir, "ingest");
        await using var ingest = IngestHost.Create(
        [
            "--urls=http://127.0.0.1:0", $"--Ingest:Broker=mqtt://127.0.0.1:{port}", $"--Ingest:Storage=litedb:{ingestDir}",
            $"--Ingest:Enrolled:bench-gw={address}", "--Ingest:AlarmManagers:0:Name=bench", "--Ingest:AlarmManagers:0:Host=127.0.0.1",
            $"--Ingest:AlarmManagers:0:Port={manager.Port}", "--Logging:LogLevel:Default=Warning",
        ]);
        await ingest.StartAsync();
        await ingest.Services.GetRequiredService<MqttIngestWorker>().Subscribed.WaitAsync(TimeSpan.FromSeconds(30));

        var gateway = TriggerGateway.Build([.. GatewayLoadRun.Args(dir, port, beds), "--Gateway:Name=bench-gw", $"--Gateway:KeyFile={keyFile}"], out var trigger, out var commits);
        await gateway.StartAsync();
        var book = gateway.Services.GetRequiredService<ChainBook>();

        var onWire = new List<double>();
        var sampleToWire = new List<double>();
        var missed = 0;
        for (var i = 0; i < rounds; i++)
        {
            var high = !trigger.Raised;
            var t0 = await trigger.Send(high ? 150 : 80);
            var committed = commits.Next(high ? "raised" : "cleared", TimeSpan.FromSeconds(5));
            trigger.Raised = high;
            if (committed is not { } c)
            {
                missed++;
                continue;
            }

            var controlId = AlarmQueue.ControlId(new EdgeTwin.Ingest.Storage.ChainId("bench-gw", "alarm", book.Head(Lane.Alarm).Epoch), c.Seq);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            long at = 0;
            while (!manager.TryFirstArrival(controlId, out at) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(1);
            }

            if (at == 0)
            {
                missed++;
                continue;
            }

            onWire.Add(Stopwatch.GetElapsedTime(c.At, at).TotalMilliseconds);
            sampleToWire.Add(Stopwatch.GetElapsedTime(t0, at).TotalMilliseconds);
            await Task.Delay(Spacing);
        }

        await gateway.StopAsync();
        await ingest.StopAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"alarm-out-latency beds={beds}: n={onWire.Count} (missed {missed}) alarm record committed on the box -> ORU^R40 on the wire p50={GatewayLoadRun.Percentile(onWire, 0.5):F1} ms p99={GatewayLoadRun.Percentile(onWire, 0.99):F1} ms max={onWire.DefaultIfEmpty(double.NaN).Max():F1} ms; trigger sample -> wire p50={GatewayLoadRun.Percentile(sampleToWire, 0.5):F1} ms p99={GatewayLoadRun.Percentile(sampleToWire, 0.99):F1} ms"));
        return onWire.Count > 0 && missed == 0 ? 0 : 1;
    }
}
