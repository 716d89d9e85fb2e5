namespace EdgeTwin.Bench.Ingest;

using System.Buffers.Binary;
using System.Net.Sockets;

/// <summary>
/// The publishing side of MQTT 3.1.1 and nothing else, on one TCP connection: CONNECT (clean session,
/// no keep-alive, so no pings are needed), then QoS 1 PUBLISH packets appended to a buffer by one
/// thread and written with <see cref="Flush"/>, and a reader that counts the broker's PUBACKs. For
/// <c>ingest-latency</c> on a 2-core box: MQTTnet took about 45 us of the bench's CPU per QoS 1 publish
/// (the bench process used 87 % of a core at 19,000 records/s, 2026-12-06), CPU the workers and PostgreSQL being
/// measured then lacked; this takes a copy into the buffer and one write per burst. A gateway's uplink
/// is not what is measured here.
/// </summary>
internal sealed class Qos1Connection : IDisposable
{
    /// <summary>At most this many unacknowledged (packet ids are 16 bits); <see cref="Publish"/> waits beyond it.</summary>
    private const int MaxInFlight = 60_000;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Thread _reader;
    private byte[] _buffer = new byte[1 << 20];
    private int _length;
    private ushort _nextId;
    private long _sent;
    private long _acked;
    private volatile string? _failure;

    private Qos1Connection(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new Thread(ReadAcks) { IsBackground = true, Name = "bench puback reader" };
    }

    public long Sent => Interlocked.Read(ref _sent);

    public long Acked => Interlocked.Read(ref _acked);

    /// <summary>Why the connection failed (null while it works): every publish not acknowledged by then is lost.</summary>
    public string? Failure => _failure;

    public static Qos1Connection Connect(int port, string clientId)
    {
        var tcp = new TcpClient { NoDelay = true };
        tcp.Connect("127.0.0.1", port);
        var connection = new Qos1Connection(tcp);
        connection._stream.Write(Mqtt311.Connect(clientId));
        Span<byte> connack = stackalloc byte[4];
        connection._stream.ReadExactly(connack);
        try
        {
            Mqtt311.CheckConnack(connack, "connection");
        }
        catch (InvalidOperationException)
        {
            tcp.Dispose();
            throw;
        }

        connection._reader.Start();
        return connection;
    }

    /// <summary>Appends one QoS 1 PUBLISH (sent at the next <see cref="Flush"/>); one thread only.</summary>
    public void Publish(byte[] topic, ReadOnlySpan<byte> payload)
    {
        while (Sent - Acked >= MaxInFlight && _failure is null)
        {
            Flush();
            Thread.Sleep(1);
        }

        _nextId = _nextId == ushort.MaxValue ? (ushort)1 : (ushort)(_nextId + 1);
        Append(0x32, 2 + topic.Length + 2 + payload.Length);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), (ushort)topic.Length);
        topic.CopyTo(_buffer, _length + 2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length + 2 + topic.Length), _nextId);
        _length += 2 + topic.Length + 2;
        payload.CopyTo(_buffer.AsSpan(_length));
        _length += payload.Length;
        Interlocked.Increment(ref _sent);
    }

    /// <summary>Writes what <see cref="Publish"/> appended.</summary>
    public void Flush()
    {
        if (_length == 0 || _failure is not null)
        {
            return;
        }

        try
        {
            _stream.Write(_buffer, 0, _length);
        }
        catch (IOException ex)
        {
            _failure = ex.Message;
        }

        _length = 0;
    }

    public void Dispose()
    {
        _tcp.Dispose();
        _reader.Join(TimeSpan.FromSeconds(5));
    }

    /// <summary>Appends a fixed header for <paramref name="remaining"/> bytes after it, with room for them.</summary>
    private void Append(byte type, int remaining)
    {
        var need = _length + 5 + remaining;
        if (need > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(need, _buffer.Length * 2));
        }

        _buffer[_length++] = type;
        _length += Mqtt311.WriteRemainingLength(_buffer.AsSpan(_length), remaining);
    }

    /// <summary>Counts PUBACKs (0x40 0x02 id id); anything else from the broker, or the connection ending, is a failure.</summary>
    private void ReadAcks()
    {
        var buffer = new byte[64 * 1024];
        var have = 0;
        try
        {
            while (true)
            {
                var read = _stream.Read(buffer, have, buffer.Length - have);
                if (read == 0)
                {
                    _failure ??= "the broker closed the connection";
                    return;
                }

                have += read;
                var at = 0;
                for (; at + 4 <= have; at += 4)
                {
                    if (buffer[at] != 0x40 || buffer[at + 1] != 2)
                    {
                        _failure ??= $"the broker sent packet type 0x{buffer[at]:x2}, not a PUBACK";
                        return;
                    }

                    Interlocked.Increment(ref _acked);
                }

                Array.Copy(buffer, at, buffer, 0, have - at);
                have -= at;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            _failure ??= ex.Message;
        }
    }
}
