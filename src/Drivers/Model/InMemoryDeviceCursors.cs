namespace EdgeTwin.Drivers.Model;

using System.Collections.Concurrent;

/// <summary>Cursors for the life of the process only: what a driver uses when nothing durable was given (tools, tests).</summary>
public sealed class InMemoryDeviceCursors : IDeviceCursorStore
{
    private readonly ConcurrentDictionary<string, long> _last = new(StringComparer.Ordinal);

    public long? Read(string key) => _last.TryGetValue(key, out var last) ? last : null;

    public void Write(string key, long last) => _last[key] = last;
}
