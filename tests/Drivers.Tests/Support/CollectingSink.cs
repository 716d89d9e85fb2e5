namespace EdgeTwin.Drivers.Tests.Support;

using EdgeTwin.Drivers.Model;

/// <summary>Collects samples and lets a test await a condition on them (with a timeout, never a sleep).</summary>
internal sealed class CollectingSink : ISampleSink
{
    private readonly List<Sample> _samples = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _written = new(0);

    public IReadOnlyList<Sample> Snapshot()
    {
        lock (_gate)
        {
            return [.. _samples];
        }
    }

    public ValueTask WriteAsync(Sample sample, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _samples.Add(sample);
        }

        _written.Release();
        return ValueTask.CompletedTask;
    }

    public async Task<IReadOnlyList<Sample>> WaitUntilAsync(Func<IReadOnlyList<Sample>, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var snapshot = Snapshot();
            if (condition(snapshot))
            {
                return snapshot;
            }

            try
            {
                await _written.WaitAsync(TimeSpan.FromMilliseconds(50), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Condition not met; {snapshot.Count} samples collected.");
            }
        }
    }
}
