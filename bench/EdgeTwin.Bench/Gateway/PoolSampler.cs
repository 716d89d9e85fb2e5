namespace EdgeTwin.Bench.Gateway;

using System.Globalization;

/// <summary>
/// Samples the thread pool's queue every 5 ms on a thread of its own: a queue that grows while
/// alarms are slow says the pool, not the outbox, held them up.
/// </summary>
internal sealed class PoolSampler : IDisposable
{
    private readonly List<(long Pending, int Threads)> _samples = [];
    private readonly Thread _thread;
    private volatile bool _running = true;

    public PoolSampler()
    {
        _thread = new Thread(() =>
        {
            while (_running)
            {
                lock (_samples)
                {
                    _samples.Add((ThreadPool.PendingWorkItemCount, ThreadPool.ThreadCount));
                }

                Thread.Sleep(5);
            }
        })
        {
            IsBackground = true,
            Name = "bench-pool-sampler",
        };
        _thread.Start();
    }

    public string Summary(string what)
    {
        lock (_samples)
        {
            var pending = _samples.Select(s => (double)s.Pending).ToList();
            return string.Create(CultureInfo.InvariantCulture,
                $"thread pool {what}: queued work items p50={GatewayLoadRun.Percentile(pending, 0.5):F0} p99={GatewayLoadRun.Percentile(pending, 0.99):F0} max={pending.DefaultIfEmpty(0).Max():F0}; threads {_samples.DefaultIfEmpty().Min(s => s.Threads)}-{_samples.DefaultIfEmpty().Max(s => s.Threads)}");
        }
    }

    public void Dispose()
    {
        _running = false;
        _thread.Join();
    }
}
