namespace EdgeTwin.Gateway.Tests.Twin;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Twin;

/// <summary>Collects reported documents as the uplink would publish them; can refuse like a disconnected uplink.</summary>
internal sealed class RecordingPublisher : IReportedPublisher
{
    private readonly List<JsonObject> _documents = [];

    public bool Connected { get; set; } = true;

    public int Attempts { get; private set; }

    public IReadOnlyList<JsonObject> Documents
    {
        get
        {
            lock (_documents)
            {
                return [.. _documents];
            }
        }
    }

    public ValueTask<bool> PublishReportedAsync(ReadOnlyMemory<byte> document, CancellationToken cancellationToken)
    {
        lock (_documents)
        {
            Attempts++;
            if (!Connected)
            {
                return ValueTask.FromResult(false);
            }

            _documents.Add((JsonObject)JsonNode.Parse(document.Span)!);
            return ValueTask.FromResult(true);
        }
    }
}
