namespace EdgeTwin.Drivers.Tests.Hl7;

using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeTwin.Hl7v2;

/// <summary>A monitor's side of the link: a real TCP client that frames messages and reads ACKs, every wait bounded.</summary>
internal sealed class MllpTestClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private MllpTestClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<MllpTestClient> ConnectAsync(IPEndPoint endpoint)
    {
        var client = new TcpClient();
        await client.ConnectAsync(endpoint).WaitAsync(Timeout);
        return new MllpTestClient(client);
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
        catch (IOException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
