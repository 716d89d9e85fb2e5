namespace EdgeTwin.Gateway.Twin;

using System.Threading.Channels;

/// <summary>
/// Wakes the reported-twin loop: a plain request lets the rate limit decide, an urgent one (alarm
/// state, applied or rejected command) is published at once.
/// </summary>
internal sealed class ReportSignal
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _urgent;

    public void Request(bool urgent)
    {
        if (urgent)
        {
            Interlocked.Exchange(ref _urgent, 1);
        }

        _wake.Writer.TryWrite(true);
    }

    /// <summary>Whether an urgent request came since the last call.</summary>
    public bool TakeUrgent() => Interlocked.Exchange(ref _urgent, 0) == 1;

    /// <summary>Waits for a request, up to <paramref name="timeout"/> on <paramref name="time"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_wake.Reader.TryRead(out _))
        {
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout <= TimeSpan.Zero ? TimeSpan.Zero : timeout, time, linked.Token);
        var wake = _wake.Reader.WaitToReadAsync(linked.Token).AsTask();
        var first = await Task.WhenAny(delay, wake).ConfigureAwait(false);
        await linked.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (first == wake)
        {
            _wake.Reader.TryRead(out _);
        }

        // Observe the loser so its cancellation is never an unobserved task exception.
        await (first == wake ? delay : wake).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
    }
}
