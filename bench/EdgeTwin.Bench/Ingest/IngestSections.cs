namespace EdgeTwin.Bench.Ingest;

using System.Diagnostics;
using System.Globalization;
using EdgeTwin.Ingest.Processing;
using EdgeTwin.Ingest.Storage;
using EdgeTwin.Mqtt;
using EdgeTwin.Telemetry.Signing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

/// <summary>
/// Where the time per record goes (docs/benchmarks.md "Where the time per record goes"): each stage
/// of the ingest timed on its own over the same messages, after a warm-up, so tiered JIT is out of
/// the figures. The processor's total includes parse, verify and export again (it does them itself);
/// store and the rest of the transaction are the total minus those. With a broker, the MQTT hop
/// (QoS 1 in, manual PUBACK) and the receipts (sign + QoS 1 publish, one per chain and batch) are
/// timed against that broker.
/// </summary>
internal static class IngestSections
{
    public static async Task RunAsync(IReadOnlyList<List<IncomingMessage>> streams, IReadOnlyDictionary<string, string> enrolled, Func<IReadOnlyList<IncomingMessage>, Task> process, string? broker)
    {
        var batches = IngestLoad.Batches(streams).ToList();
        var total = batches.Sum(b => b.Count);
        var line = new List<string>();
        void Put(string name, TimeSpan elapsed) => line.Add(string.Create(CultureInfo.InvariantCulture, $"{name}={elapsed.TotalMicroseconds / total:F2}us"));
        void PutBytes(string name, long bytes) => line.Add(string.Create(CultureInfo.InvariantCulture, $"{name}-bytes={(double)bytes / total:F0}"));

        var processorBytes = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            await process(batch);
        }

        var processor = sw.Elapsed;
        processorBytes = GC.GetTotalAllocatedBytes(precise: true) - processorBytes;
        Put("processor", processor);
        PutBytes("processor", processorBytes);

        // The header read as the processor's plan does it (the topic's gateway given), five times over for a steadier figure.
        var parsed = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        sw.Restart();
        for (var round = 0; round < 5; round++)
        {
            parsed = 0;
            foreach (var m in batches.SelectMany(b => b))
            {
                parsed += RecordHeader.TryParse(m.Payload, out _, out _, m.Name.Gw) ? 1 : 0;
            }
        }

        var parse = sw.Elapsed / 5;
        allocated = (GC.GetAllocatedBytesForCurrentThread() - allocated) / 5;
        Put("parse", parse);
        PutBytes("parse", allocated);

        // The ingest's verifier as the processor holds it, one per gateway, exported once per chain and batch.
        var verifiers = enrolled.ToDictionary(e => e.Key, e => new ChainVerification(e.Value), StringComparer.Ordinal);
        var verify = TimeSpan.Zero;
        var export = TimeSpan.Zero;
        long stateBytes = 0, states = 0, verifyBytes = 0;
        foreach (var batch in batches)
        {
            // The chains to export are named before the clock starts (the verifier does not say which it touched).
            var chains = new HashSet<(string Gw, ChainId Id)>();
            foreach (var m in batch)
            {
                RecordHeader.TryParse(m.Payload, out var h, out _);
                chains.Add((m.Name.Gw, new ChainId(h!.Gw, h.Lane, h.Epoch)));
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            sw.Restart();
            foreach (var m in batch)
            {
                _ = verifiers[m.Name.Gw].Add(m.Payload);
            }

            verify += sw.Elapsed;
            verifyBytes += GC.GetAllocatedBytesForCurrentThread() - before;
            sw.Restart();
            foreach (var (gw, id) in chains)
            {
                // As the ingest does once its store confirmed every decided seq (the normal case).
                stateBytes += verifiers[gw].Export(id, verifiers[gw].LinkedThrough(id))?.Length ?? 0;
                states++;
            }

            export += sw.Elapsed;
        }

        Put("verify", verify);
        PutBytes("verify", verifyBytes);
        Put("export-state", export);
        Put("store-and-rest", processor - parse - verify - export);
        line.Add(string.Create(CultureInfo.InvariantCulture, $"state-bytes-per-chain-and-batch={stateBytes / Math.Max(1, states)}"));
        if (broker is not null)
        {
            Put("mqtt-receive", await MqttHopAsync(broker, batches.SelectMany(b => b).ToList()));
            Put("receipts", await ReceiptsAsync(broker, batches));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest-sections records={total} parsed={parsed} per-record: {string.Join(' ', line)} load={File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
    }

    private static async Task<IMqttClient> ConnectAsync(string broker, string id)
    {
        if (!BrokerAddress.TryParse(broker, out var address, out var problem))
        {
            throw new ArgumentException(problem, nameof(broker));
        }

        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(address!.Host, address.Port).WithProtocolVersion(MqttProtocolVersion.V500).WithClientId(id).WithCleanStart(true).Build());
        return client;
    }

    /// <summary>Every message published QoS 1 and received by a subscriber that acknowledges each by hand, as the worker does.</summary>
    private static async Task<TimeSpan> MqttHopAsync(string broker, List<IncomingMessage> messages)
    {
        using var sub = await ConnectAsync(broker, "bench-sections-sub");
        using var pub = await ConnectAsync(broker, "bench-sections-pub");
        var received = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sub.ApplicationMessageReceivedAsync += async e =>
        {
            e.AutoAcknowledge = false;
            await e.AcknowledgeAsync(default);
            if (Interlocked.Increment(ref received) == messages.Count)
            {
                all.TrySetResult();
            }
        };
        await sub.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("edgetwin/v1/bench/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var sw = Stopwatch.StartNew();
        foreach (var chunk in messages.Chunk(256))
        {
            await Task.WhenAll(chunk.Select(m => pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(m.Topic).WithPayload(m.Payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())));
        }

        await all.Task.WaitAsync(TimeSpan.FromMinutes(2));
        return sw.Elapsed;
    }

    /// <summary>One receipt per chain and batch (as a batch that verified each chain further sends), signed and published QoS 1.</summary>
    private static async Task<TimeSpan> ReceiptsAsync(string broker, List<List<IncomingMessage>> batches)
    {
        using var client = await ConnectAsync(broker, "bench-sections-receipts");
        using var key = GatewayKey.Generate();
        var hash = new string('a', 64);
        var sw = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            foreach (var gw in batch.Select(m => m.Name.Gw).Distinct())
            {
                var receipt = new ReceiptDue("bench", gw, "telemetry", new string('0', 32), 1, hash).Sign(key);
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"edgetwin/v1/bench/{gw}/receipt").WithPayload(receipt.ToPayload()).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }
        }

        return sw.Elapsed;
    }
}
