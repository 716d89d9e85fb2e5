namespace EdgeTwin.Bench.WholeSystem;

using System.Collections;
using System.Globalization;
using System.Text;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Model;
using MQTTnet;
using MQTTnet.Protocol;

/// <summary>
/// The peer's publisher: what a Pi user builds without EdgeTwin. The same simulated beds as the
/// gateway's (EdgeTwin's own simulator through <see cref="DriverFactory"/>, same seed), each sample
/// published as one MQTT message at QoS 1 to the local broker (<c>peer/{device}</c>, a small JSON
/// object with a running id), up to 64 awaiting PUBACK at once (the gateway's <c>Uplink:MaxInFlight</c>).
/// Keeps which ids the broker acknowledged.
/// </summary>
internal sealed class PeerPublisher : ISampleSink, IAsyncDisposable
{
    public const int MaxIds = 64_000_000;

    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly SemaphoreSlim _inFlight = new(64, 64);
    private readonly BitArray _acked = new(MaxIds);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private long _nextId;
    private long _ackedCount;
    private long _failed;

    private PeerPublisher(long firstId) => _nextId = firstId - 1;

    public long AckedCount => Interlocked.Read(ref _ackedCount);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The last id given out (ids run from the first id given to <see cref="StartAsync"/>).</summary>
    public long LastId => Interlocked.Read(ref _nextId);

    /// <summary>Connects to the local broker and starts <paramref name="beds"/> simulated beds publishing; ids from <paramref name="firstId"/>.</summary>
    public static async Task<PeerPublisher> StartAsync(int brokerPort, int beds, long firstId)
    {
        var publisher = new PeerPublisher(firstId);
        await publisher._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort)
            .WithClientId($"peer-pub-{firstId}").WithCleanSession(true).Build()).ConfigureAwait(false);
        var drivers = new DriverFactory(TimeProvider.System).Create(new DriverOptions { Simulation = new SimulationOptions { Beds = beds, Seed = 15 } });
        foreach (var driver in drivers)
        {
            publisher._running.Add(Task.Run(() => driver.RunAsync(publisher, publisher._stop.Token)));
        }

        return publisher;
    }

    public bool Acked(long id)
    {
        lock (_acked)
        {
            return _acked[(int)id];
        }
    }

    public async ValueTask WriteAsync(Sample sample, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        var id = Interlocked.Increment(ref _nextId);
        var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"id\":{id},\"dev\":\"{sample.DeviceId}\",\"code\":\"{sample.Stream.Code}\",\"unit\":\"{sample.Stream.Unit}\",\"t\":\"{sample.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"v\":{(sample.Value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "null")}}}"));
        _ = PublishAsync(id, new MqttApplicationMessageBuilder().WithTopic("peer/" + sample.DeviceId).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    /// <summary>Stops the beds and waits for the publishes in flight to be acknowledged or fail.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_running).ConfigureAwait(false);
        for (var i = 0; i < 64; i++)
        {
            await _inFlight.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync().ConfigureAwait(false);
        }

        _client.Dispose();
        _inFlight.Dispose();
        _stop.Dispose();
    }

    /// <summary>The id a received message carries (its payload starts <c>{"id":</c>).</summary>
    public static long IdOf(byte[] payload)
    {
        long id = 0;
        var sign = 1;
        for (var i = 6; i < payload.Length && payload[i] != (byte)','; i++)
        {
            if (payload[i] == (byte)'-')
            {
                sign = -1;
            }
            else
            {
                id = (id * 10) + (payload[i] - '0');
            }
        }

        return sign * id;
    }

    private async Task PublishAsync(long id, MqttApplicationMessage message)
    {
        try
        {
            var result = await _client.PublishAsync(message).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                lock (_acked)
                {
                    _acked[(int)id] = true;
                }

                Interlocked.Increment(ref _ackedCount);
            }
            else
            {
                Interlocked.Increment(ref _failed);
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
