namespace EdgeTwin.Bench.WholeSystem;

using System.Collections;
using System.Diagnostics;
using System.Globalization;
using EdgeTwin.Integration.Tests.Support;
using MQTTnet;
using MQTTnet.Protocol;

/// <summary>
/// The peer of issue 15: <see cref="PeerPublisher"/> into a local mosquitto with persistence (as
/// Debian ships it: <c>persistence true</c>, autosave at its default, on shutdown and every 30
/// minutes) bridged at QoS 1 (<c>connection</c>, <c>cleansession false</c>) to a "cloud" mosquitto,
/// where a persistent subscriber (the harness's <see cref="Capture"/>) counts what arrives, by id.
/// Both brokers allow 1,000,000 queued messages and unlimited in flight, as the harness's broker, so
/// that the only loss measured is the fault's.
/// </summary>
internal sealed class BridgePeer : IDisposable
{
    private readonly BitArray _received = new(PeerPublisher.MaxIds);
    private long _receivedCount;
    private long _nextId = 1;
    private Capture? _subscriber;

    public BridgePeer()
    {
        Cloud = new Mosquitto();
        Local = new Mosquitto((dir, port) => $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location {dir}/
            max_queued_messages 1000000
            max_inflight_messages 0
            connection cloud
            address 127.0.0.1:{Cloud.Port}
            topic peer/# out 1
            cleansession false
            restart_timeout 1
            """);
    }

    public Mosquitto Cloud { get; }

    public Mosquitto Local { get; }

    public long ReceivedCount => Interlocked.Read(ref _receivedCount);

    public async Task StartSubscriberAsync() =>
        _subscriber = await Capture.StartAsync(Cloud.Port, "peer/#", (_, payload) => OnMessage(PeerPublisher.IdOf(payload))).ConfigureAwait(false);

    /// <summary>
    /// The publisher with <paramref name="beds"/> beds for <paramref name="seconds"/> after 3 s of
    /// warm-up: samples/s acknowledged by the local broker and received in the cloud, CPU of this
    /// process (simulator, publisher, cloud subscriber) and of both brokers.
    /// </summary>
    public async Task<PeerRow> ThroughputAsync(int beds, int seconds)
    {
        await using var publisher = await PeerPublisher.StartAsync(Local.Port, beds, _nextId).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        var before = Snapshot(publisher);
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        var after = Snapshot(publisher);
        await publisher.StopAsync().ConfigureAwait(false);
        _nextId = publisher.LastId + 1;
        var wall = (after.At - before.At) / 1000.0;
        var drain = Stopwatch.StartNew();
        var drained = await DrainAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        return new PeerRow(beds, wall, (after.Acked - before.Acked) / wall, (after.Received - before.Received) / wall,
            100 * (after.Self - before.Self) / wall, 100 * (after.Local - before.Local) / wall, 100 * (after.Cloud - before.Cloud) / wall,
            drained ? drain.Elapsed : null, publisher.Failed);
    }

    /// <summary>
    /// The fault: the cloud broker stopped (the bridge's uplink down), the publisher running
    /// <paramref name="beds"/> beds for <paramref name="seconds"/> (every sample acknowledged by the
    /// local broker), the local broker SIGKILLed, then both brokers started again. Counts the
    /// acknowledged samples that reach the cloud once the bridge is back (after a marker sent behind
    /// them on every topic has arrived).
    /// </summary>
    public async Task<PeerLoss> LossAsync(int beds, int seconds)
    {
        Cloud.Stop();
        var firstId = _nextId;
        long lastId;
        long acked;
        var ackedIds = new List<long>();
        await using (var publisher = await PeerPublisher.StartAsync(Local.Port, beds, firstId).ConfigureAwait(false))
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            await publisher.StopAsync().ConfigureAwait(false);
            lastId = publisher.LastId;
            acked = publisher.AckedCount;
            for (var id = firstId; id <= lastId; id++)
            {
                if (publisher.Acked(id))
                {
                    ackedIds.Add(id);
                }
            }
        }

        _nextId = lastId + 1;
        Local.KillHard();
        var recovery = Stopwatch.StartNew();
        Cloud.Start();
        Local.Start();
        var drained = await DrainAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        long arrived;
        lock (_received)
        {
            arrived = ackedIds.Count(id => _received[(int)id]);
        }

        return new PeerLoss(beds, seconds, acked, arrived, drained ? recovery.Elapsed : null);
    }

    public void Dispose()
    {
        _subscriber?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Local.Dispose();
        Cloud.Dispose();
    }

    /// <summary>
    /// Sends a marker through the local broker on every bed's topic and waits until all arrived in
    /// the cloud: MQTT keeps one client's messages on a topic in order, so whatever the bridge still
    /// held for that topic arrived before its marker. False when they did not arrive in time.
    /// </summary>
    private async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var topics = Enumerable.Range(1, 1000).Select(b => $"peer/sim-bed-{b}").ToArray();
        var markers = topics.Select((_, i) => _nextId + i).ToArray();
        _nextId += markers.Length;
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Local.Port).WithClientId($"peer-marker-{markers[0]}").Build()).ConfigureAwait(false);
        for (var i = 0; i < topics.Length; i++)
        {
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topics[i]).WithPayload($"{{\"id\":{markers[i]},\"marker\":true}}")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()).ConfigureAwait(false);
        }

        await client.DisconnectAsync().ConfigureAwait(false);
        try
        {
            await Wait.UntilAsync(() => { lock (_received) { return markers.All(m => _received[(int)m]); } }, timeout, "the peer's markers in the cloud").ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void OnMessage(long id)
    {
        lock (_received)
        {
            if (id is > 0 and < PeerPublisher.MaxIds && !_received[(int)id])
            {
                _received[(int)id] = true;
                _receivedCount++;
            }
        }
    }

    private (long At, long Acked, long Received, double Self, double Local, double Cloud) Snapshot(PeerPublisher publisher) =>
        (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), publisher.AckedCount, ReceivedCount,
            ProcStat.CpuSeconds(Environment.ProcessId), ProcStat.CpuSeconds(Local.Id!.Value), ProcStat.CpuSeconds(Cloud.Id!.Value));
}

/// <summary>One peer step: samples/s acknowledged by the local broker and received in the cloud; CPU (% of one core) of this process, the local and the cloud broker.</summary>
internal sealed record PeerRow(int Beds, double Seconds, double AckedPerSecond, double ReceivedPerSecond, double SelfCpu, double LocalCpu, double CloudCpu, TimeSpan? Drain, long Failed)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"| {Beds} | {Beds * 358:N0} | {AckedPerSecond:N0} | {ReceivedPerSecond:N0} | {SelfCpu:F0} % | {LocalCpu:F0} % | {CloudCpu:F0} % | {(Drain is { } d ? $"{d.TotalSeconds:F1} s" : "not within 120 s")} | {Failed} |");
}

/// <summary>The peer's fault: samples the local broker acknowledged while the uplink was down, and how many of them reached the cloud after the SIGKILL and restart.</summary>
internal sealed record PeerLoss(int Beds, int Seconds, long Acked, long Arrived, TimeSpan? Recovery)
{
    public long Lost => Acked - Arrived;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"peer: local broker SIGKILLed with the uplink down, {Beds} beds for {Seconds} s: acknowledged {Acked:N0} samples, arrived in the cloud {Arrived:N0}, lost {Lost:N0} ({100.0 * Lost / Math.Max(1, Acked):F1} %), bridge drained {(Recovery is { } r ? $"{r.TotalSeconds:F1} s after the restart" : "not within 120 s")}");
}
