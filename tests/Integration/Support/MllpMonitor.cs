namespace EdgeTwin.Integration.Tests.Support;

using System.Net.Sockets;
using System.Text;

/// <summary>A bedside monitor on a real TCP connection to a gateway's <c>hl7-mllp</c> port: frames a message, reads the ACK.</summary>
internal sealed class MllpMonitor : IDisposable
{
    private readonly TcpClient _client = new();

    private MllpMonitor()
    {
    }

    /// <summary>Connects once the gateway listens on <paramref name="port"/> (it binds a moment after it starts).</summary>
    public static async Task<MllpMonitor> ConnectAsync(int port, TimeSpan timeout)
    {
        var monitor = new MllpMonitor();
        await Wait.UntilAsync(() => monitor.TryConnect(port), timeout, "the MLLP listener");
        return monitor;
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
            _client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
