namespace EdgeTwin.Bench.Ingest;

using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// The subscribing side of MQTT 3.1.1 and nothing else, on one TCP connection: CONNECT (clean session,
/// no keep-alive, so no pings are needed), one SUBSCRIBE at QoS 1, then a reader thread that hands
/// every PUBLISH's payload to a callback, stamped when its bytes were read, and answers each QoS 1
/// one with its PUBACK. For <c>ingest-latency</c>'s receipt watch: with MQTTnet's client there, some
/// runs at 10,000 records/s from 1,000 gateways saw only part of the receipts, or none after the
/// warm-up, though the ledger had receipted every record and a <c>mosquitto_sub</c> beside it received
/// them all (2026-12-07); the run then blamed the workers for records "not verified".
/// </summary>
internal sealed class Qos1Subscriber : IDisposable
{
    private const ushort SubscribeId = 1;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Action<long, ReadOnlyMemory<byte>> _onMessage;
    private readonly Thread _reader;
    private readonly TaskCompletionSource<byte> _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? _failure;

    private Qos1Subscriber(TcpClient tcp, Action<long, ReadOnlyMemory<byte>> onMessage)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _onMessage = onMessage;
        _reader = new Thread(Read) { IsBackground = true, Name = "bench subscriber" };
    }

    /// <summary>Why the connection failed (null while it works): nothing published after it is seen.</summary>
    public string? Failure => _failure;

    /// <summary>Connects, subscribes to <paramref name="topicFilter"/> at QoS 1 and returns once the broker granted it.</summary>
    /// <param name="onMessage">called on the reader thread with the instant (<see cref="Stopwatch.GetTimestamp"/>) and the payload, valid during the call only</param>
    public static async Task<Qos1Subscriber> ConnectAsync(int port, string clientId, string topicFilter, Action<long, ReadOnlyMemory<byte>> onMessage)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port).ConfigureAwait(false);
        var subscriber = new Qos1Subscriber(tcp, onMessage);
        try
        {
            subscriber._stream.Write(Mqtt311.Connect(clientId));
            var connack = new byte[4];
            await subscriber._stream.ReadExactlyAsync(connack).ConfigureAwait(false);
            Mqtt311.CheckConnack(connack, "subscriber");

            // SUBSCRIBE (flags 0b0010): packet id, the filter, QoS 1.
            var filter = Encoding.UTF8.GetBytes(topicFilter);
            byte[] subscribe = [SubscribeId >> 8, SubscribeId & 0xff, (byte)(filter.Length >> 8), (byte)filter.Length, .. filter, 1];
            subscriber._stream.Write(Mqtt311.Packet(0x82, subscribe));
            subscriber._reader.Start();
            var granted = await subscriber._subscribed.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            if (granted > 1)
            {
                throw new InvalidOperationException($"the broker refused the subscription to {topicFilter}: SUBACK 0x{granted:x2}");
            }

            return subscriber;
        }
        catch
        {
            subscriber.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _tcp.Dispose();
        if (_reader.IsAlive)
        {
            _reader.Join(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>
    /// Reads packets: a SUBACK settles the subscription, each PUBLISH goes to the callback and, at QoS 1,
    /// gets its PUBACK (all of one read's acknowledgements in one write); anything else, or the
    /// connection ending, is a failure.
    /// </summary>
    private void Read()
    {
        var buffer = new byte[256 * 1024];
        var have = 0;
        var acks = new byte[4 * 16 * 1024];
        try
        {
            while (true)
            {
                if (have == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = _stream.Read(buffer, have, buffer.Length - have);
                if (read == 0)
                {
                    Fail("the broker closed the connection");
                    return;
                }

                var at = Stopwatch.GetTimestamp();
                have += read;
                var used = 0;
                var ackLength = 0;
                while (TryPacket(buffer.AsSpan(used, have - used), out var type, out var headerLength, out var bodyLength))
                {
                    var body = buffer.AsMemory(used + headerLength, bodyLength);
                    switch (type >> 4)
                    {
                        case 3: // PUBLISH
                            var qos = (type >> 1) & 3;
                            var topicLength = BinaryPrimitives.ReadUInt16BigEndian(body.Span);
                            var payloadAt = 2 + topicLength + (qos > 0 ? 2 : 0);
                            _onMessage(at, body[payloadAt..]);
                            if (qos == 1)
                            {
                                if (ackLength + 4 > acks.Length)
                                {
                                    Array.Resize(ref acks, acks.Length * 2);
                                }

                                acks[ackLength] = 0x40;
                                acks[ackLength + 1] = 2;
                                body.Span.Slice(2 + topicLength, 2).CopyTo(acks.AsSpan(ackLength + 2));
                                ackLength += 4;
                            }
                            else if (qos != 0)
                            {
                                Fail($"a PUBLISH at QoS {qos} on a QoS 1 subscription");
                                return;
                            }

                            break;
                        case 9: // SUBACK: packet id, one return code
                            _subscribed.TrySetResult(body.Span[^1]);
                            break;
                        default:
                            Fail($"the broker sent packet type 0x{type:x2}");
                            return;
                    }

                    used += headerLength + bodyLength;
                }

                if (ackLength > 0)
                {
                    _stream.Write(acks, 0, ackLength);
                }

                Array.Copy(buffer, used, buffer, 0, have - used);
                have -= used;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            Fail(ex.Message);
        }
    }

    private void Fail(string why)
    {
        _failure ??= why;
        _subscribed.TrySetException(new InvalidOperationException(why));
    }

    /// <summary>Whether <paramref name="data"/> starts with a whole packet: its first byte, fixed header length and body length.</summary>
    private static bool TryPacket(ReadOnlySpan<byte> data, out byte type, out int headerLength, out int bodyLength)
    {
        type = 0;
        headerLength = 0;
        bodyLength = 0;
        if (data.Length < 2)
        {
            return false;
        }

        var multiplier = 1;
        var i = 1;
        while (true)
        {
            if (i >= data.Length)
            {
                return false;
            }

            if (i > 4)
            {
                throw new IOException("a malformed remaining length from the broker");
            }

            bodyLength += (data[i] & 0x7f) * multiplier;
            multiplier *= 128;
            if ((data[i++] & 0x80) == 0)
            {
                break;
            }
        }

        type = data[0];
        headerLength = i;
        return data.Length >= headerLength + bodyLength;
    }
}
