namespace EdgeTwin.Ingest.Tests.Support;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeTwin.Hl7v2;

/// <summary>
/// An IHE ACM alarm manager for tests, on a real loopback MLLP socket: it keeps every PCD-04 it
/// receives (in order, with the connection it came on) and answers as <see cref="Answer"/> says:
/// AA/AE/AR with MSA-2 echoing MSH-10, or no answer at all (a manager that hangs). It can also
/// send PCD-05 reports to the ingest's listener and return the ACK.
/// </summary>
internal sealed class TestAlarmManager : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Hl7Message> _received = new();
    private readonly Task _accepting;
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly ConcurrentDictionary<string, long> _firstArrival = new(StringComparer.Ordinal);

    public TestAlarmManager()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>What to answer: "AA", "AE", "AR", or null (say nothing).</summary>
    public Func<Hl7Message, string?> Answer { get; set; } = _ => "AA";

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<Hl7Message> Received => [.. _received];

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> time each control id's frame was first read off the socket (the latency benchmark's end point).</summary>
    public bool TryFirstArrival(string controlId, out long at) => _firstArrival.TryGetValue(controlId, out at);

    /// <summary>Waits until at least <paramref name="count"/> messages arrived (event-driven, no polling sleep).</summary>
    public async Task<IReadOnlyList<Hl7Message>> WaitForAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (_received.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_received.Count} of {count} PCD-04 messages arrived within {timeout}: {string.Join(", ", _received.Select(m => m.ControlId))}");
            }
        }

        return Received;
    }

    /// <summary>Sends one message to an MLLP listener and returns the answer frame.</summary>
    public static async Task<string> SendAsync(IPEndPoint to, string message, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(to, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(MllpFrameReader.Wrap(Encoding.UTF8.GetBytes(message)), cts.Token);
        var reader = new MllpFrameReader(stream, 65_536, timeout, TimeProvider.System);
        var frame = await reader.ReadAsync(cts.Token) ?? throw new IOException("closed without an answer");
        return Encoding.UTF8.GetString(frame.Payload);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _listener.Dispose();
        _stop.Dispose();
        _arrived.Dispose();
    }

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                sessions.Add(ServeAsync(client));
            }
        }
        finally
        {
            await Task.WhenAll(sessions);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var reader = new MllpFrameReader(stream, 1 << 20, TimeSpan.FromSeconds(30), TimeProvider.System);
                while (await reader.ReadAsync(_stop.Token) is { } frame)
                {
                    var at = System.Diagnostics.Stopwatch.GetTimestamp();
                    if (frame.Kind != MllpFrameKind.Message)
                    {
                        continue;
                    }

                    var message = Hl7Message.Parse(Encoding.UTF8.GetString(frame.Payload));
                    _firstArrival.TryAdd(message.ControlId, at);
                    var code = Answer(message);
                    _received.Enqueue(message);
                    _arrived.Release();
                    if (code is null)
                    {
                        continue;
                    }

                    var ack = AckBuilder.Build(message.Header, code == "AA" ? AckCode.Accept : code == "AE" ? AckCode.Error : AckCode.Reject, "TAM-" + message.ControlId, DateTimeOffset.UtcNow,
                        code == "AA" ? null : $"test manager says {code}", code == "AA" ? null : Hl7ErrorCode.ApplicationInternalError, null, "R40");
                    await stream.WriteAsync(MllpFrameReader.Wrap(Encoding.UTF8.GetBytes(ack)), _stop.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The reporter closed the connection, or the test ended.
            }
        }
    }
}
