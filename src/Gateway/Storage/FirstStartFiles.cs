namespace EdgeTwin.Gateway.Storage;

using EdgeTwin.Gateway.Diagnostics;
using EdgeTwin.Outbox.Durability;
using Microsoft.Extensions.Logging;

/// <summary>
/// What a first start writes before anything else (the gateway key, the storage key, the site
/// secret, the outbox marker) when the disk is too full to take it: each is made in memory and kept
/// there (<see cref="Defer"/>, log 1082), the gateway comes up, samples, scores and sounds alarms,
/// and the files are written, in the order they were made, once there is room
/// (<see cref="TryWriteAll"/>, called by the group committer before it creates the outbox). Until
/// then no store is created (it would be encrypted with a key that is not on disk) and nothing is
/// published (the uplink waits for <see cref="Written"/>: a signed document would name a key that a
/// power cut could still lose). Thread-safe.
/// </summary>
internal sealed class FirstStartFiles(ILogger<FirstStartFiles> logger)
{
    private readonly Lock _gate = new();
    private readonly List<Pending> _pending = [];
    private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Whether nothing waits to be written.</summary>
    public bool AllWritten
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count == 0;
            }
        }
    }

    /// <summary>Completes once nothing waits to be written (at once when nothing ever did).</summary>
    public Task Written
    {
        get
        {
            if (AllWritten)
            {
                _written.TrySetResult();
            }

            return _written.Task;
        }
    }

    /// <summary>
    /// <paramref name="what"/> could not be written to <paramref name="path"/> for lack of space
    /// (<paramref name="cause"/>): <paramref name="write"/> writes it later (throwing the disk's
    /// error while there is still no room), then <paramref name="written"/> says so.
    /// </summary>
    public void Defer(string what, string path, Action write, Action written, Exception cause)
    {
        lock (_gate)
        {
            _pending.Add(new Pending(what, path, write, written));
        }

        GatewayLog.FirstStartFileDeferred(logger, what, path, cause.Message);
    }

    /// <summary>Writes what waits, in order; true when nothing waits any more, false while the disk is still full.</summary>
    public bool TryWriteAll()
    {
        lock (_gate)
        {
            while (_pending.Count > 0)
            {
                var next = _pending[0];
                try
                {
                    next.Write();
                }
                catch (Exception ex) when (StorageFaults.IsOutOfSpace(ex))
                {
                    return false;
                }

                _pending.RemoveAt(0);
                next.Written();
            }
        }

        _written.TrySetResult();
        return true;
    }

    private sealed record Pending(string What, string Path, Action Write, Action Written);
}
