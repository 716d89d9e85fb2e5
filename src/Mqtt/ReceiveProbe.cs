namespace EdgeTwin.Mqtt;

using System.Security.Cryptography;
using System.Text;
using MQTTnet;

/// <summary>
/// Whether the broker still delivers to this client. A connection can stay up (keep-alive answered,
/// publishes acknowledged) while the broker sends it nothing: a broker whose count of the client's
/// unacknowledged messages went wrong (mosquitto before 2.0.13, #2306), or a client that stopped
/// reading (dotnet/MQTTnet#2234). Nothing else would notice: an ingest worker sees no records (a quiet
/// ward), a gateway no receipts (the ingest being behind), while the gateways' re-sends go unanswered.
/// So the client sends itself a QoS 1 probe now and then, on a topic only its own connection subscribes
/// to, with a nonce only it knows, and takes the connection for stalled when a probe is out, nothing
/// at all (probe or anything else at QoS 1) has come for <see cref="StallAfter"/>, and the client has
/// room in its receive window (a full window is a slow consumer holding the broker back, which is flow
/// control, not a stall). Used by the ingest worker and the gateway's uplink.
/// <para>
/// Thread-safe: the receive callback, the client's loop and the probe's publish call it side by side;
/// <see cref="Received"/>, on every message's path, takes no lock.
/// </para>
/// </summary>
public sealed class ReceiveProbe
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval;
    private byte[]? _outstanding;
    private DateTimeOffset _sentAt;
    // UTC ticks; written without the lock by Received, which runs for every message a client takes.
    private long _lastReceived;
    private bool _subscribed;
    private byte[]? _toldWindowFull;

    /// <param name="topic">the probe's topic: one only this client reads, the same for a resumed lasting session</param>
    /// <param name="interval">how often a probe goes out when none is out (0: never)</param>
    /// <param name="stallAfter">how long nothing may come, with a probe out and room in the window, before the connection counts as stalled</param>
    public ReceiveProbe(string topic, TimeSpan interval, TimeSpan stallAfter)
    {
        _interval = interval;
        StallAfter = stallAfter;
        Topic = topic;
    }

    public string Topic { get; }

    public bool Enabled => _interval > TimeSpan.Zero;

    public TimeSpan StallAfter { get; }

    /// <summary>A connection is up (subscribed to the probe topic or not): nothing is out, and the stall clock starts now.</summary>
    public void Connected(bool probeSubscribed, DateTimeOffset now)
    {
        lock (_gate)
        {
            _subscribed = probeSubscribed && Enabled;
            _outstanding = null;
            _sentAt = now;
            Volatile.Write(ref _lastReceived, now.UtcTicks);
        }
    }

    /// <summary>
    /// A connection is up and subscribed: the probe's filter among <paramref name="result"/>'s items (none
    /// when it was not asked for) decides whether it probes, as <see cref="Connected(bool, DateTimeOffset)"/>.
    /// The broker's reason code when it refused the filter (the caller says so), else null.
    /// </summary>
    public MqttClientSubscribeResultCode? Connected(MqttClientSubscribeResult? result, DateTimeOffset now)
    {
        var item = result?.Items.FirstOrDefault(i => i.TopicFilter.Topic == Topic);
        var granted = item is not null && item.ResultCode <= MqttClientSubscribeResultCode.GrantedQoS2;
        Connected(granted, now);
        return item is not null && !granted ? item.ResultCode : null;
    }

    /// <summary>Anything came from the broker: the path delivers.</summary>
    public void Received(DateTimeOffset now) => Volatile.Write(ref _lastReceived, now.UtcTicks);

    /// <summary>
    /// The payload of the next probe when one is due (none out, <c>interval</c> since the last went),
    /// noted as out from <paramref name="now"/>; null when none is due or probing is off.
    /// </summary>
    public byte[]? Due(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_subscribed || _outstanding is not null || now - _sentAt < _interval)
            {
                return null;
            }

            _outstanding = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
            _sentAt = now;
            return _outstanding;
        }
    }

    /// <summary>
    /// The broker did not take the probe (refused, not acknowledged in time, no connection): it is not
    /// out, so it cannot make a stall; the next goes after the interval.
    /// </summary>
    public void NotSent(byte[] payload)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_outstanding, payload))
            {
                _outstanding = null;
            }
        }
    }

    /// <summary>
    /// The broker refused the probe (an ACL without the probe topic; mosquitto grants any subscription
    /// and checks read access per message, so this is where a missing grant shows): no more probes on
    /// this connection. False when it was refused already (said once).
    /// </summary>
    public bool Refused(byte[] payload)
    {
        lock (_gate)
        {
            NotSent(payload);
            var first = _subscribed;
            _subscribed = false;
            return first;
        }
    }

    /// <summary>
    /// A message on the probe topic: the round trip when it carries the nonce of the probe out, which
    /// is then back; null for anything else (a probe of an earlier connection the broker sent again,
    /// or somebody else's message on the topic: it proves nothing about this worker's path).
    /// </summary>
    public TimeSpan? Arrived(ReadOnlySpan<byte> payload, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_outstanding is null || !CryptographicOperations.FixedTimeEquals(payload, _outstanding))
            {
                return null;
            }

            _outstanding = null;
            return now - _sentAt;
        }
    }

    /// <summary>
    /// What the probe says now. <see cref="ProbeVerdict.Stalled"/>: a probe out for at least
    /// <see cref="StallAfter"/>, nothing received for as long (<paramref name="quiet"/>), and
    /// <paramref name="held"/> (messages received and not yet acknowledged) below <paramref name="window"/>,
    /// so the broker may send; the clock starts again from <paramref name="now"/> (one stall is told
    /// once). <see cref="ProbeVerdict.WindowFull"/>: the same, but the window is full: the store holds
    /// the broker back (flow control), told once per probe. Else <see cref="ProbeVerdict.Delivering"/>.
    /// </summary>
    public ProbeVerdict Check(DateTimeOffset now, int held, int window, out TimeSpan quiet)
    {
        lock (_gate)
        {
            quiet = TimeSpan.FromTicks(now.UtcTicks - Volatile.Read(ref _lastReceived));
            if (_outstanding is null || now - _sentAt < StallAfter || quiet < StallAfter)
            {
                return ProbeVerdict.Delivering;
            }

            if (held >= window)
            {
                if (_toldWindowFull == _outstanding)
                {
                    return ProbeVerdict.Delivering;
                }

                _toldWindowFull = _outstanding;
                return ProbeVerdict.WindowFull;
            }

            _outstanding = null;
            _sentAt = now;
            Volatile.Write(ref _lastReceived, now.UtcTicks);
            return ProbeVerdict.Stalled;
        }
    }
}

public enum ProbeVerdict
{
    Delivering,
    WindowFull,
    Stalled,
}
