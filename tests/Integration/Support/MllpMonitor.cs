namespace EdgeTwin.Integration.Tests.Support;

using System.Net.Sockets;
using System.Text;

/// <summary>A bedside monitor on a real TCP connection to a gateway's <c>hl7-mllp</c> port: frames a message, reads the ACK.</summary>
internal sealed class MllpMonitor : IDisposable
{
    private readonly System.Net.IPAddress? _from;
    private TcpClient _client = new();

    private MllpMonitor(System.Net.IPAddress? from)
    {
        _from = from;
    }

    /// <summary>
    /// Connects once the gateway listens on <paramref name="port"/> (it binds a moment after it
    /// starts), from <paramref name="from"/> when given (127.0.0.2 plays another machine).
    /// </summary>
    public static async Task<MllpMonitor> ConnectAsync(int port, TimeSpan timeout, System.Net.IPAddress? from = null)
    {
        var monitor = new MllpMonitor(from);
        await Wait.UntilAsync(() => monitor.TryConnect(port), timeout, "the MLLP listener");
        return monitor;
    }

    /// <summary>True once the gateway closed this connection, within <paramref name="timeout"/>.</summary>
    public async Task<bool> ClosedByGatewayAsync(TimeSpan timeout)
    {
        try
        {
            return await _client.GetStream().ReadAsync(new byte[256]).AsTask().WaitAsync(timeout) == 0;
        }
        catch (IOException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Sends one message in MLLP framing (<c>0x0B</c> message <c>0x1C 0x0D</c>) and returns the ACK frame the gateway answers.</summary>
    public async Task<string> SendAsync(string message)
    {
        var stream = _client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes("\x0b" + message + "\x1c\r"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var text = new StringBuilder();
        while (!text.ToString().Contains('\x1c', StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(n > 0, "the gateway closed the connection before acknowledging");
            text.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }

        return text.ToString();
    }

    public void Dispose() => _client.Dispose();

    private bool TryConnect(int port)
    {
        try
        {
            if (_from is not null)
            {
                _client.Client.Bind(new System.Net.IPEndPoint(_from, 0));
            }

            _client.Connect("127.0.0.1", port);
            if (_client.Client.LocalEndPoint!.Equals(_client.Client.RemoteEndPoint))
            {
                // TCP self-connect: with no listener yet, a connect from the ephemeral port that is the
                // target port itself connects the socket to itself, and every "ACK" is our own message
                // (a CI run saw its ORU echoed back). Not the gateway: try again.
                throw new SocketException((int)SocketError.ConnectionRefused);
            }

            return true;
        }
        catch (SocketException)
        {
            // A socket that failed to connect cannot be used again.
            _client.Dispose();
            _client = new TcpClient();
            return false;
        }
    }
}
