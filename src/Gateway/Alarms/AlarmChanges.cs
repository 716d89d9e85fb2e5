namespace EdgeTwin.Gateway.Alarms;

using System.Collections.Concurrent;
using EdgeTwin.Inference.Alarms;

/// <summary>
/// Alarm changes caused on other threads (the recorder's, a button's), waiting for the alarm
/// service to record them in order. Unbounded on purpose: an alarm change is never dropped, and
/// there are only as many as alarm transitions.
/// </summary>
internal sealed class AlarmChanges
{
    private readonly ConcurrentQueue<AlarmStateChange> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);

    public void Enqueue(IReadOnlyList<AlarmStateChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        foreach (var change in changes)
        {
            _queue.Enqueue(change);
        }

        _signal.Release();
    }

    public bool TryDequeue(out AlarmStateChange change) => _queue.TryDequeue(out change!);

    /// <summary>Completes when something was enqueued since the last wait (or at once if so).</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _signal.WaitAsync(cancellationToken);
}
