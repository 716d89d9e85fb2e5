namespace EdgeTwin.Gateway.Outbox;

/// <summary>
/// Whether the outbox can take records now. Set by the group committer when a commit fails for lack
/// of space and cleared when one succeeds again; read by the alarm service (the <c>storage-full</c>
/// technical alarm), the reported twin and the status page. Thread-safe.
/// </summary>
internal sealed class StorageHealth
{
    private State? _full;
    private long _episodes;
    /// <summary>True while nothing can be committed for lack of space.</summary>
    public bool Full => Volatile.Read(ref _full) is not null;

    /// <summary>Since when the outbox has been full (null when it is not).</summary>
    public DateTimeOffset? FullSince => Volatile.Read(ref _full)?.Since;

    /// <summary>What the last failed commit said (null when the outbox is not full).</summary>
    public string? Reason => Volatile.Read(ref _full)?.Reason;

    /// <summary>How many times the outbox has become full since start.</summary>
    public long Episodes => Interlocked.Read(ref _episodes);

    public void SetFull(DateTimeOffset since, string reason)
    {
        if (Interlocked.CompareExchange(ref _full, new State(since, reason), null) is null)
        {
            Interlocked.Increment(ref _episodes);
        }
    }

    public void SetAvailable() => Volatile.Write(ref _full, null);

    private sealed record State(DateTimeOffset Since, string Reason);
}
