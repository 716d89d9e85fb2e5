namespace EdgeTwin.Gateway.Tests.Twin;

using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeTwin.Gateway.Twin;

/// <summary>Collects reported documents as the uplink would publish them; can refuse like a disconnected uplink.</summary>
internal sealed class RecordingPublisher : IReportedPublisher
{
    private readonly Channel<JsonObject> _published = Channel.CreateUnbounded<JsonObject>();
    private int _attempts;

    public bool Connected { get; set; } = true;

    public int Attempts => Volatile.Read(ref _attempts);

    public int Count { get; private set; }

    public ValueTask<bool> PublishReportedAsync(ReadOnlyMemory<byte> document, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (!Connected)
        {
            return ValueTask.FromResult(false);
        }

        Count++;
        _published.Writer.TryWrite((JsonObject)JsonNode.Parse(document.Span)!);
        return ValueTask.FromResult(true);
    }

    /// <summary>The next published document, or a failed test after 10 s.</summary>
    public async Task<JsonObject> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _published.Reader.ReadAsync(timeout.Token);
    }

    public bool TryNext(out JsonObject? document) => _published.Reader.TryRead(out document);
}
