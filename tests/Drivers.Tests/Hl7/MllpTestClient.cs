namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeTwin.Hl7v2;

/// <summary>A monitor's side of the link: a real TCP client that frames messages and reads ACKs, every wait bounded.</summary>
internal sealed class MllpTestClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly List<byte> _pending = [];

    private MllpTestClient(TcpClient client, Stream stream)
    {
        _client = client;
        _stream = stream;
    }

    /// <summary>Connects from <paramref name="from"/> (another loopback address plays another machine: 127.0.0.2), plain TCP.</summary>
    public static async Task<MllpTestClient> ConnectAsync(IPEndPoint endpoint, IPAddress? from = null)
    {
        var client = await OpenAsync(endpoint, from);
        return new MllpTestClient(client, client.GetStream());
    }

    /// <summary>Connects over TLS, presenting <paramref name="certificate"/> (none: null); the handshake's own failure is thrown.</summary>
    public static async Task<MllpTestClient> ConnectTlsAsync(IPEndPoint endpoint, X509Certificate2? certificate, IPAddress? from = null)
    {
        var client = await OpenAsync(endpoint, from);
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "box.test",
            ClientCertificates = certificate is null ? null : [certificate],
            // The test plays a monitor that trusts the box's certificate as configured on it.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }).WaitAsync(Timeout);
        return new MllpTestClient(client, tls);
    }

    private static async Task<TcpClient> OpenAsync(IPEndPoint endpoint, IPAddress? from)
    {
        var client = from is null ? new TcpClient() : new TcpClient(new IPEndPoint(from, 0));
        await client.ConnectAsync(endpoint).WaitAsync(Timeout);
        return client;
    }

    public Task SendAsync(string payload) => SendRawAsync(MllpFrameReader.Wrap(Encoding.Latin1.GetBytes(payload)));

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes).AsTask().WaitAsync(Timeout);

    /// <summary>Sends a message and returns the ACK's payload.</summary>
    public async Task<Hl7Message> RoundTripAsync(string payload)
    {
        await SendAsync(payload);
        return await ReadAckAsync();
    }

    public async Task<Hl7Message> ReadAckAsync()
    {
        var buffer = new byte[4096];
        while (true)
        {
            var end = _pending.IndexOf(MllpFrameReader.EndBlock);
            if (end > 0 && end + 1 < _pending.Count)
            {
                Assert.Equal(MllpFrameReader.StartBlock, _pending[0]);
                Assert.Equal(MllpFrameReader.CarriageReturn, _pending[end + 1]);
                var text = Encoding.Latin1.GetString([.. _pending.Skip(1).Take(end - 1)]);
                _pending.RemoveRange(0, end + 2);
                return Hl7Message.Parse(text);
            }

            var read = await _stream.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
            if (read == 0)
            {
                throw new IOException("The driver closed the connection instead of answering.");
            }

            _pending.AddRange(buffer.Take(read));
        }
    }

    /// <summary>True once the driver has closed this connection (a read returns 0 or fails).</summary>
    public async Task<bool> IsClosedByPeerAsync(TimeSpan wait)
    {
        var buffer = new byte[256];
        try
        {
            return await _stream.ReadAsync(buffer).AsTask().WaitAsync(wait) == 0;
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
