namespace EdgeTwin.Ingest.Processing;

/// <summary>
/// Keeps each gateway's <see cref="ChainVerification"/> between batches of one worker, at most
/// <c>Ingest:VerifierCacheGateways</c> of them: when a gateway not held comes and the cache is full, the
/// one used longest ago is let go (its chains' states stay in their rows; its next batch reads and decodes
/// them again). Entries are also dropped when a transaction fails (the verifier ran ahead of the store).
/// </summary>
internal sealed class VerifierCache(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<ChainVerificationEntry>> _entries = new(StringComparer.Ordinal);

    // Most recently used first.
    private readonly LinkedList<ChainVerificationEntry> _order = new();
    private readonly Lock _lock = new();
    private long _evicted;

    public int Capacity { get; } = capacity >= 1 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "at least one gateway");

    /// <summary>Gateways whose verifier is held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Gateways let go to make room, since the start.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>
    /// The gateway's verifier: the one held (now the most recently used), or a new one (holding nothing,
    /// so its chains' stored states are imported) when none is held or the enrolled address changed.
    /// <paramref name="evicted"/> is the gateway let go to make room, if one was.
    /// </summary>
    public ChainVerification For(string gw, string enrolledAddress, out string? evicted)
    {
        evicted = null;
        lock (_lock)
        {
            if (_entries.TryGetValue(gw, out var node))
            {
                _order.Remove(node);
                if (node.Value.Verification.EnrolledAddress != enrolledAddress)
                {
                    node.Value = new ChainVerificationEntry(gw, new ChainVerification(enrolledAddress));
                }

                _order.AddFirst(node);
                return node.Value.Verification;
            }

            if (_entries.Count >= Capacity && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _entries.Remove(oldest.Value.Gw);
                evicted = oldest.Value.Gw;
                Interlocked.Increment(ref _evicted);
            }

            var entry = new ChainVerificationEntry(gw, new ChainVerification(enrolledAddress));
            _entries[gw] = _order.AddFirst(entry);
            return entry.Verification;
        }
    }

    public void Forget(string gw)
    {
        lock (_lock)
        {
            if (_entries.Remove(gw, out var node))
            {
                _order.Remove(node);
            }
        }
    }

    private sealed record ChainVerificationEntry(string Gw, ChainVerification Verification);
}
