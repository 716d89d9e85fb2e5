namespace EdgeTwin.Ingest.AlarmsOut;

using System.Net.Sockets;
using System.Text;
using EdgeTwin.Hl7v2;

/// <summary>
/// One alarm manager's MLLP connection, opened on first use and kept: a message goes out framed
/// (<see cref="MllpFrameReader.Wrap"/>), the next complete frame back is its answer. Anything that
/// goes wrong (refused, reset, a broken frame, the caller's deadline) closes it, so a late answer
/// to an earlier attempt can never be taken for the answer to a later one.
/// </summary>
internal sealed class MllpConnection(string host, int port, int maxFrameBytes, TimeSpan frameTimeout, TimeProvider time) : IAsyncDisposable
{
    private static readonly Encoding Wire = Encoding.UTF8;
    private TcpClient? _client;
    private NetworkStream? _stream;
    private MllpFrameReader? _reader;

    public string Endpoint => $"{host}:{port}";

    /// <returns>The payload of the answer frame.</returns>
    public async Task<string> ExchangeAsync(string message, CancellationToken ct)
    {
        try
        {
            if (_client is null)
            {
                _client = new TcpClient { NoDelay = true };
                await _client.ConnectAsync(host, port, ct).ConfigureAwait(false);
                _stream = _client.GetStream();
                _reader = new MllpFrameReader(_stream, maxFrameBytes, frameTimeout, time);
            }

            await _stream!.WriteAsync(MllpFrameReader.Wrap(Wire.GetBytes(message)), ct).ConfigureAwait(false);
            while (true)
            {
                var frame = await _reader!.ReadAsync(ct).ConfigureAwait(false) ?? throw new IOException("the alarm manager closed the connection without an answer");
                switch (frame.Kind)
                {
                    case MllpFrameKind.Message:
                        return Wire.GetString(frame.Payload);
                    case MllpFrameKind.Garbage:
                        continue;
                    default:
                        throw new IOException($"the answer was not a complete MLLP frame ({frame.Kind}, {frame.Length} bytes)");
                }
            }
        }
        catch
        {
            Close();
            throw;
        }
    }

    public void Close()
    {
        _client?.Dispose();
        _client = null;
        _stream = null;
        _reader = null;
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
