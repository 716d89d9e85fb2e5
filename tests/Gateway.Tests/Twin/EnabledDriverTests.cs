namespace EdgeTwin.Gateway.Tests.Twin;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Gateway.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

public class EnabledDriverTests
{
    [Fact]
    public async Task Disabled_StopsTheDriver_Enabled_StartsItAgain_Stopping_EndsBoth()
    {
        var time = new FakeTimeProvider();
        var enabled = new EnableSwitch(true);
        var inner = new CountingDriver();
        var driver = new EnabledDriver(inner, enabled.Check, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = driver.RunAsync(new NullSink(), stop.Token);

        await inner.Started(1);
        Assert.True(driver.Running);

        enabled.On = false;
        await AdvanceUntil(time, () => inner.Stopped == 1 && !driver.Running);
        Assert.False(driver.Running);
        await ChecksRun(time, enabled, 10);
        Assert.Equal(1, inner.Runs); // stays stopped while disabled, ten checks later

        enabled.On = true;
        await AdvanceUntil(time, () => inner.Runs == 2);
        await inner.Started(2);
        Assert.True(driver.Running);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, inner.Stopped);
    }

    [Fact]
    public async Task StoppingWhileEnabled_SaysNothingOfTheDesiredState_DisablingSaysItOnce()
    {
        var time = new FakeTimeProvider();
        var enabled = new EnableSwitch(true);
        var inner = new CountingDriver();
        var log = new ListLogger();
        var driver = new EnabledDriver(inner, enabled.Check, time, log);
        using var stop = new CancellationTokenSource();
        var run = driver.RunAsync(new NullSink(), stop.Token);
        await inner.Started(1);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, inner.Stopped);
        Assert.DoesNotContain(log.Lines, l => l.Contains("disabled", StringComparison.Ordinal));

        using var stop2 = new CancellationTokenSource();
        var again = driver.RunAsync(new NullSink(), stop2.Token);
        await inner.Started(2);
        enabled.On = false;
        await AdvanceUntil(time, () => inner.Stopped == 2);
        await stop2.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => again.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Single(log.Lines, l => l.Contains("disabled by the desired state", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DisabledFromTheStart_NeverStartsTheDriver()
    {
        var time = new FakeTimeProvider();
        var inner = new CountingDriver();
        var enabled = new EnableSwitch(false);
        var driver = new EnabledDriver(inner, enabled.Check, time, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = driver.RunAsync(new NullSink(), stop.Token);
        await ChecksRun(time, enabled, 5);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, inner.Runs);
    }

    /// <summary>Advances the clock a check interval at a time until the driver has asked <paramref name="enabled"/> <paramref name="count"/> more times.</summary>
    private static async Task ChecksRun(FakeTimeProvider time, EnableSwitch enabled, int count)
    {
        var target = enabled.Checks + count;
        for (var i = 0; i < count * 50 && enabled.Checks < target; i++)
        {
            var before = enabled.Checks;
            time.Advance(EnabledDriver.CheckInterval);
            for (var spin = 0; spin < 500 && enabled.Checks == before; spin++)
            {
                await Task.Delay(2);
            }
        }

        Assert.True(enabled.Checks >= target, $"the enable check ran {enabled.Checks} times, expected {target}");
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

    /// <summary>The desired state's enabled flag as the driver sees it, counting how often it is asked.</summary>
    private sealed class EnableSwitch(bool on)
    {
        private volatile bool _on = on;
        private int _checks;

        public bool On
        {
            get => _on;
            set => _on = value;
        }

        public int Checks => Volatile.Read(ref _checks);

        public bool Check()
        {
            Interlocked.Increment(ref _checks);
            return _on;
        }
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

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception));
    }
}
