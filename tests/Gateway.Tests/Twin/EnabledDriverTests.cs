namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Twin.Wiring;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

public class EnabledDriverTests
{
    [Fact]
    public async Task Disabled_StopsTheDriver_Enabled_StartsItAgain_Stopping_EndsBoth()
    {
        var time = new FakeTimeProvider();
        var enabled = true;
        var inner = new CountingDriver();
        var driver = new EnabledDriver(inner, () => Volatile.Read(ref enabled), time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = driver.RunAsync(new NullSink(), stop.Token);

        await inner.Started(1);
        Assert.True(driver.Running);

        Volatile.Write(ref enabled, false);
        await AdvanceUntil(time, () => inner.Stopped == 1);
        Assert.False(driver.Running);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, inner.Runs); // stays stopped while disabled

        Volatile.Write(ref enabled, true);
        await AdvanceUntil(time, () => inner.Runs == 2);
        await inner.Started(2);
        Assert.True(driver.Running);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, inner.Stopped);
    }

    [Fact]
    public async Task DisabledFromTheStart_NeverStartsTheDriver()
    {
        var time = new FakeTimeProvider();
        var inner = new CountingDriver();
        var driver = new EnabledDriver(inner, () => false, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = driver.RunAsync(new NullSink(), stop.Token);
        for (var i = 0; i < 5; i++)
        {
            time.Advance(EnabledDriver.CheckInterval);
            await Task.Yield();
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, inner.Runs);
    }

    private static async Task AdvanceUntil(FakeTimeProvider time, Func<bool> done)
    {
        for (var i = 0; i < 100 && !done(); i++)
        {
            time.Advance(EnabledDriver.CheckInterval);
            await Task.Delay(20);
        }

        Assert.True(done(), "condition not reached");
    }

    private sealed class NullSink : ISampleSink
    {
        public ValueTask WriteAsync(Sample sample, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>Runs until cancelled, counting starts and stops (a restartable driver, like ours).</summary>
    private sealed class CountingDriver : IDeviceDriver
    {
        private int _runs;
        private int _stopped;

        public int Runs => Volatile.Read(ref _runs);

        public int Stopped => Volatile.Read(ref _stopped);

        public DeviceInfo Info { get; } = new("dev-1", "counting", "0", "0", null, [StreamCodes.HeartRate]);

        public DeviceHealth Health => DeviceHealth.Ok;

        public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                Interlocked.Increment(ref _stopped);
            }
        }

        public async Task Started(int runs)
        {
            for (var i = 0; i < 500 && Runs < runs; i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(runs, Runs);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
