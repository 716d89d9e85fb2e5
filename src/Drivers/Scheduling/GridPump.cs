namespace EdgeTwin.Drivers.Scheduling;

using EdgeTwin.Drivers.Model;

/// <summary>
/// Wakes on the injected clock and hands the sink what a grid source has come due. Samples carry
/// grid times, not wake-up times, so jitter in waking never shows in the data.
/// </summary>
internal static class GridPump
{
    /// <summary>Catch-up after a stall is cut into steps of this much signal, so memory stays bounded.</summary>
    private static readonly TimeSpan MaxStep = TimeSpan.FromSeconds(1);

    /// <summary>Runs until cancelled, then returns normally; a finished source just idles.</summary>
    /// <param name="afterStep">Called after each step's samples are written (health updates).</param>
    public static async Task RunAsync(
        IGridSource source, ISampleSink sink, TimeProvider time, TimeSpan wakeInterval, Action afterStep, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(wakeInterval, time);
            var emitted = source.Start.AddTicks(-1);
            // Grows to what one step brings (about 15 samples per bed at the default 40 ms wake, up to a
            // second's worth after a stall) instead of 1,024 up front: 48 KB per driver held for nothing
            // (issue 15, docs/benchmarks.md "The live managed heap").
            var buffer = new List<Sample>();
            do
            {
                var now = time.GetUtcNow();
                while (emitted < now && !source.Finished)
                {
                    var step = now - emitted > MaxStep ? emitted + MaxStep : now;
                    buffer.Clear();
                    source.EmitDue(step, buffer);
                    foreach (var sample in buffer)
                    {
                        await sink.WriteAsync(sample, cancellationToken).ConfigureAwait(false);
                    }

                    emitted = step;
                    afterStep();
                }
            }
            while (!source.Finished && await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));

            // A finished source (lost device, ended recording) still runs until stopped, like any
            // driver, so the host sees one lifetime per driver.
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of a run.
        }
    }

    /// <summary>Whole-second start: 1 Hz values land on whole seconds, as a monitor's trend does.</summary>
    public static DateTimeOffset AlignedStart(DateTimeOffset now) =>
        new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
