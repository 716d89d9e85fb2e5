namespace EdgeTwin.Ingest.Tests.Support;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// A path between an MQTT client and a real broker with faults a test can turn on: a TCP proxy on a
/// free loopback port that passes whole MQTT control packets (MQTT 5 §2.1) both ways as they are,
/// except the broker's PUBACKs while <see cref="DropPubacks"/> is set. The client's own QoS 1
/// publishes then reach the broker (and its subscribers) but are never acknowledged, while the
/// connection stays up: what a broker that loses an acknowledgement, or a path that loses one, looks
/// like to the client. While <see cref="WithholdPublishesOn"/> names a connection, the broker's
/// PUBLISH packets on it are not passed on either (everything else is): a broker that stops
/// delivering to a client whose connection stays up (keep-alive answered, its publishes
/// acknowledged). <see cref="CutAsync"/> ends the connections on the path (the client sees the
/// broker go and connects again). Each connection is numbered from 1 in the order the client made
/// them; the PUBACKs the client sends and the SUBACKs the broker sends are noted by connection.
/// </summary>
internal sealed class MqttProxy : IAsyncDisposable
{
    private const int PublishType = 3;
    private const int PubackType = 4;
    private const int SubackType = 9;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _brokerPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly ConcurrentQueue<(int Connection, int PacketId)> _clientPubacks = new();
    private readonly ConcurrentDictionary<int, int> _subacks = new();
    private readonly Task _accepting;
    private long _dropped;
    private long _withheld;
    private int _accepted;

    public MqttProxy(int brokerPort, bool dropPubacks)
    {
        _brokerPort = brokerPort;
        DropPubacks = dropPubacks;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    public volatile bool DropPubacks;

    /// <summary>The connection (numbered from 1) whose PUBLISH packets from the broker are not passed on; 0: none.</summary>
    public volatile int WithholdPublishesOn;

    /// <summary>PUBLISH packets from the broker not passed on.</summary>
    public long Withheld => Interlocked.Read(ref _withheld);

    /// <summary>PUBACKs from the broker not passed on.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Connections the client made through the proxy so far (the latest is this number).</summary>
    public int Connections => Volatile.Read(ref _accepted);

    /// <summary>The packet ids of the PUBACKs the client sent on connection <paramref name="connection"/>.</summary>
    public IReadOnlyList<int> ClientPubacks(int connection) => [.. _clientPubacks.Where(p => p.Connection == connection).Select(p => p.PacketId)];

    /// <summary>SUBACKs the broker sent on connection <paramref name="connection"/> (the client's subscriptions answered).</summary>
    public int Subacks(int connection) => _subacks.GetValueOrDefault(connection);

    /// <summary>Ends every connection on the path now; new ones are taken as before.</summary>
    public Task CutAsync()
    {
        lock (_connections)
        {
            foreach (var c in _connections)
            {
                c.Dispose();
            }

            _connections.Clear();
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await CutAsync();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var broker = new TcpClient();
            await broker.ConnectAsync(IPAddress.Loopback, _brokerPort, _stop.Token);
            lock (_connections)
            {
                _connections.Add(client);
                _connections.Add(broker);
            }

            _ = PumpAsync(Interlocked.Increment(ref _accepted), client, broker);
        }
    }

    private async Task PumpAsync(int connection, TcpClient client, TcpClient broker)
    {
        try
        {
            var up = CopyPacketsAsync(client.GetStream(), broker.GetStream(), (type, body) =>
            {
                if (type == PubackType && body.Length >= 2)
                {
                    _clientPubacks.Enqueue((connection, (body[0] << 8) | body[1]));
                }

                return true;
            }, _stop.Token);
            var down = CopyPacketsAsync(broker.GetStream(), client.GetStream(), (type, _) =>
            {
                if (type == SubackType)
                {
                    _subacks.AddOrUpdate(connection, 1, (_, n) => n + 1);
                }

                if (type == PublishType && connection == WithholdPublishesOn)
                {
                    Interlocked.Increment(ref _withheld);
                    return false;
                }

                if (type == PubackType && DropPubacks)
                {
                    Interlocked.Increment(ref _dropped);
                    return false;
                }

                return true;
            }, _stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // either side went
        }
        finally
        {
            client.Dispose();
            broker.Dispose();
        }
    }

    /// <summary>
    /// Copies whole MQTT packets (fixed header, remaining length, body), each passed on only when
    /// <paramref name="pass"/> says so (given the packet type and the body after the fixed header).
    /// </summary>
    private static async Task CopyPacketsAsync(Stream from, Stream to, Func<int, byte[], bool> pass, CancellationToken ct)
    {
        var header = new byte[5];
        while (true)
        {
            await from.ReadExactlyAsync(header.AsMemory(0, 1), ct);
            var length = 0;
            var used = 1;
            for (var shift = 0; ; shift += 7)
            {
                if (used == header.Length)
                {
                    throw new IOException("malformed remaining length");
                }

                await from.ReadExactlyAsync(header.AsMemory(used, 1), ct);
                length |= (header[used] & 0x7f) << shift;
                if ((header[used++] & 0x80) == 0)
                {
                    break;
                }
            }

            var body = new byte[length];
            await from.ReadExactlyAsync(body, ct);
            if (!pass(header[0] >> 4, body))
            {
                continue;
            }

            await to.WriteAsync(header.AsMemory(0, used), ct);
            await to.WriteAsync(body, ct);
        }
    }
}
