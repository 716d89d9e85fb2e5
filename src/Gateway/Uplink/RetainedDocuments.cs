namespace EdgeTwin.Gateway.Uplink;

using System.Collections.Concurrent;

/// <summary>
/// The retained documents the uplink keeps on the broker (the reported twin, ...): the latest payload
/// per subtopic, and which of them still have to go out. All are due again after every (re)connect;
/// a failed publish makes its document due again.
/// </summary>
internal sealed class RetainedDocuments
{
    private readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _latest = new();
    private readonly ConcurrentQueue<string> _due = new();

    /// <summary>A new version: it replaces any not yet published.</summary>
    public void Set(string subtopic, ReadOnlyMemory<byte> payload)
    {
        _latest[subtopic] = payload;
        _due.Enqueue(subtopic);
    }

    /// <summary>After a (re)connect: the broker may have lost them (no persistence, a new broker).</summary>
    public void AllDue()
    {
        foreach (var subtopic in _latest.Keys)
        {
            _due.Enqueue(subtopic);
        }
    }

    /// <summary>Its publish failed: due again at the next turn.</summary>
    public void Again(string subtopic) => _due.Enqueue(subtopic);

    public bool TryNext(out string subtopic, out ReadOnlyMemory<byte> payload)
    {
        while (_due.TryDequeue(out var next))
        {
            if (_latest.TryGetValue(next, out payload))
            {
                subtopic = next;
                return true;
            }
        }

        subtopic = string.Empty;
        payload = default;
        return false;
    }
}
