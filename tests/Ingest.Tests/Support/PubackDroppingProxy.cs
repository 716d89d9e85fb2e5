namespace EdgeTwin.Ingest.Tests.Support;

using System.Net;
using System.Net.Sockets;

/// <summary>
/// A fault between an MQTT client and a real broker: a TCP proxy on a free loopback port that passes
/// every byte from the client to the broker as it is, and every MQTT control packet from the broker
/// to the client except PUBACKs while <see cref="DropPubacks"/> is set. The client's own QoS 1
/// publishes then reach the broker (and its subscribers) but are never acknowledged, while the
/// connection stays up: what a broker that loses an acknowledgement, or a path that loses one,
/// looks like to the client. The broker's PUBLISHes and its PINGRESPs still arrive.
/// </summary>
internal sealed class PubackDroppingProxy : IAsyncDisposable
{
    private const int PubackType = 4;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _brokerPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accepting;
    private long _dropped;

    public PubackDroppingProxy(int brokerPort)
    {
        _brokerPort = brokerPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    public volatile bool DropPubacks = true;

    /// <summary>PUBACKs from the broker not passed on.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var c in _connections)
            {
                c.Dispose();
            }
        }

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

            _ = PumpAsync(client, broker);
        }
    }

    private async Task PumpAsync(TcpClient client, TcpClient broker)
    {
        try
        {
            var up = client.GetStream().CopyToAsync(broker.GetStream(), _stop.Token);
            var down = FilterAsync(broker.GetStream(), client.GetStream(), _stop.Token);
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

    /// <summary>Copies whole MQTT packets (fixed header, remaining length, body: MQTT 5 §2.1), leaving out PUBACKs while dropping.</summary>
    private async Task FilterAsync(Stream from, Stream to, CancellationToken ct)
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
                    throw new IOException("malformed remaining length from the broker");
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
            if (header[0] >> 4 == PubackType && DropPubacks)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            await to.WriteAsync(header.AsMemory(0, used), ct);
            await to.WriteAsync(body, ct);
        }
    }
}
