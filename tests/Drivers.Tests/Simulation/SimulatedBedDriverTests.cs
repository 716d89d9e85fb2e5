namespace EdgeTwin.Drivers.Tests.Simulation;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Simulation;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Time.Testing;

public class SimulatedBedDriverTests
{
    [Fact]
    public async Task Run_OnAFakeClock_EmitsWhatTheGeneratorGives_OnTheGrid()
    {
        var time = new FakeTimeProvider(SimRun.Start.AddMilliseconds(730));
        await using var driver = new SimulatedBedDriver("bed-1", "stable", 42, SimulatedBedSettings.Default, time);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);

        for (var i = 0; i < 50; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(40));
        }

        // Started at 08:00:00.730 (grid from 08:00:00), now 08:00:02.730: ECG 0..682 at 250 Hz.
        var samples = await sink.WaitUntilAsync(s => s.Count(x => x.Stream.Code == StreamCodes.EcgLeadII.Code) == 683);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        var expected = SimRun.Generate("stable", 42, TimeSpan.FromMilliseconds(2730)).OrderBy(s => s.Stream.Code).ThenBy(s => s.Timestamp).ToList();
        var actual = sink.Snapshot().OrderBy(s => s.Stream.Code).ThenBy(s => s.Timestamp).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Select(s => (s.Stream.Code, s.Timestamp, s.Value)), actual.Select(s => (s.Stream.Code, s.Timestamp, s.Value)));
        Assert.All(actual, s => Assert.Equal("bed-1", s.DeviceId));
        Assert.Equal(DeviceHealth.Ok, driver.Health);
    }

    [Fact]
    public async Task SensorOff_TurnsHealthDegraded_ThenLost()
    {
        var time = new FakeTimeProvider(SimRun.Start);
        await using var driver = new SimulatedBedDriver("bed-2", "sensor-off", 1, SimulatedBedSettings.Default with { WakeInterval = TimeSpan.FromMilliseconds(500) }, time);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);

        time.Advance(TimeSpan.FromSeconds(29));
        await sink.WaitUntilAsync(s => s.Any(x => x.Stream == StreamCodes.SpO2 && x.Timestamp == SimRun.Start.AddSeconds(29)));
        Assert.Equal(DeviceHealth.Ok, driver.Health);

        time.Advance(TimeSpan.FromSeconds(2));
        await sink.WaitUntilAsync(s => s.Any(x => x.Stream == StreamCodes.SpO2 && x.Timestamp == SimRun.Start.AddSeconds(31)));
        Assert.Equal(DeviceHealth.Degraded, driver.Health);

        time.Advance(TimeSpan.FromSeconds(40));
        await sink.WaitUntilAsync(s => s.Any(x => x.Stream == StreamCodes.SpO2 && x.Timestamp == SimRun.Start.AddSeconds(59)));
        await WaitForAsync(() => driver.Health == DeviceHealth.Lost);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(sink.Snapshot(), s => s.Timestamp >= SimRun.Start.AddSeconds(60));
    }

    [Fact]
    public async Task Run_AfterALongStall_CatchesUpInBoundedSteps_WithoutLosingSamples()
    {
        var time = new FakeTimeProvider(SimRun.Start);
        await using var driver = new SimulatedBedDriver("bed-3", "stable", 9, SimulatedBedSettings.Default, time);
        var sink = new CollectingSink();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(sink, cts.Token);

        time.Advance(TimeSpan.FromSeconds(30));
        var samples = await sink.WaitUntilAsync(s => s.Count(x => x.Stream == StreamCodes.HeartRate) == 31);
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(7501, sink.Snapshot().Count(x => x.Stream.Code == StreamCodes.EcgLeadII.Code));
    }

    [Fact]
    public async Task Run_Twice_AtOnce_IsRefused()
    {
        var time = new FakeTimeProvider(SimRun.Start);
        await using var driver = new SimulatedBedDriver("bed-4", "stable", 9, SimulatedBedSettings.Default, time);
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(new CollectingSink(), cts.Token);

        await Assert.ThrowsAsync<InvalidOperationException>(() => driver.RunAsync(new CollectingSink(), cts.Token));
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
