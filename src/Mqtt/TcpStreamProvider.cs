namespace EdgeTwin.Mqtt;

using System.Net;
using System.Net.Sockets;
using MQTTnet.Channel;

/// <summary>
/// Opens the TCP connection to the broker for MQTTnet (TLS is layered on top by MQTTnet, with the
/// broker's host name) with the kernel's own socket buffers. MQTTnet's own TCP channel sets
/// <c>SO_RCVBUF</c> and <c>SO_SNDBUF</c> to its <c>BufferSize</c>, 8 KiB, which turns off Linux's
/// buffer autotuning: the receiver then advertises a window of a few kilobytes, and on loopback
/// (a 64 KiB segment size) it reopens it only when its delayed acknowledgement fires, every 40 ms.
/// An ingest worker on the same host as its broker took about 170 KB/s that way (a 10,000 records/s
/// load fell behind at once and never caught up, its receipts' PUBACKs stuck behind the backlog:
/// docs/benchmarks.md, "Issue 13: publish -> verified latency"), and a gateway's uplink could never
/// have more than 16 KiB on the way. Here the buffers are left to the kernel (<c>net.ipv4.tcp_rmem</c>,
/// <c>tcp_wmem</c>); Nagle is off, as MQTTnet has it.
/// </summary>
public sealed class TcpStreamProvider : IMqttClientStreamProvider
{
    public static TcpStreamProvider Instance { get; } = new();

    public async Task<Stream> ConnectAsync(EndPoint brokerEndPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(brokerEndPoint);

        // A dual-mode socket reaches an IPv4 or IPv6 broker, and a host name is resolved by ConnectAsync.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(brokerEndPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
