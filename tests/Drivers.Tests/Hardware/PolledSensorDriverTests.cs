namespace EdgeTwin.Drivers.Tests.Hardware;

using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.I2c.Mlx90614;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Fakes;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Time.Testing;

public sealed class PolledSensorDriverTests : IAsyncDisposable
{
    private static readonly DeviceInfo Thermometer = new("temp-1", "Melexis MLX90614", "", "", "i2c-1/0x5A", [StreamCodes.BodyTemperature]);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly CollectingSink _sink = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly FakeMlx90614 _chip = new() { ObjectRaw = FakeMlx90614.Raw(37.0) };
    private readonly List<DateTimeOffset> _openTimes = [];
    private int _opens;
    private Func<ISensor>? _open;
    private PolledSensorDriver? _driver;
    private Task? _run;

    private PolledSensorDriver Driver => _driver!;

    private int OpenCount
    {
        get
        {
            lock (_openTimes)
            {
                return _openTimes.Count;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _stop.Dispose();
    }

    [Fact]
    public async Task Healthy_ReadsOncePerPoll_WithValidValues()
    {
        await StartAsync();

        await TickAsync(3);

        var samples = Temperatures();
        Assert.Equal(3, samples.Count);
        Assert.All(samples, s => Assert.Equal(37.0, s.Value!.Value, 0.02));
        Assert.Equal(DeviceHealth.Ok, Driver.Health);
        Assert.Equal("0DEF9ABC56781234", Driver.Info.Serial);
    }

    [Fact]
    public async Task Nack_GivesInvalidSamples_Degraded_ThenLost_ThenReprobes_AndRecovers()
    {
        await StartAsync();
        await TickAsync(1);

        _chip.Nack = true;
        await TickAsync(2);
        Assert.Equal(DeviceHealth.Degraded, Driver.Health);
        await TickAsync(4);
        await Eventually.TrueAsync(() => Driver.Health == DeviceHealth.Lost, "lost after three failed reads");
        Assert.Equal([true, false, false, false], Temperatures().Select(s => s.IsValid));

        // Gone: re-probed with back-off (1, 1, 2, 4 s ...) and nothing more is emitted meanwhile.
        var opensWhenLost = _opens;
        await AdvanceAsync(TimeSpan.FromSeconds(8));
        Assert.InRange(_opens - opensWhenLost, 2, 5);
        Assert.Equal(4, Temperatures().Count);

        _chip.Nack = false;
        await AdvanceAsync(TimeSpan.FromSeconds(16));
        await Eventually.TrueAsync(() => Driver.Health == DeviceHealth.Ok, "re-probed");
        var before = Temperatures().Count;
        await AdvanceAsync(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => Temperatures().Count > before, "reading again");
        Assert.Equal(37.0, Temperatures()[^1].Value!.Value, 0.02);
        Assert.False(_run!.IsCompleted);
    }

    [Fact]
    public async Task Implausible85C_IsInvalid_AndDegraded_ButNotLost()
    {
        await StartAsync();
        _chip.ObjectRaw = FakeMlx90614.Raw(85.0);

        await TickAsync(5);
        Assert.All(Temperatures(), s => Assert.Null(s.Value));
        Assert.Equal(DeviceHealth.Degraded, Driver.Health);

        _chip.ObjectRaw = FakeMlx90614.Raw(36.6);
        await TickAsync(6);
        Assert.Equal(36.6, Temperatures()[^1].Value!.Value, 0.02);
        Assert.Equal(DeviceHealth.Ok, Driver.Health);
    }

    [Fact]
    public async Task HungBus_TimesOut_AndIsNotCalledAgainUntilItReturns()
    {
        await StartAsync();
        using var hang = new SemaphoreSlim(0);
        _chip.Hang = hang;

        await AdvanceAsync(TimeSpan.FromSeconds(1));
        await AdvanceAsync(TimeSpan.FromMilliseconds(600));
        await Eventually.TrueAsync(() => Temperatures().Count == 1, "timed-out read reported");
        Assert.Null(Temperatures()[0].Value);
        Assert.Equal(DeviceHealth.Degraded, Driver.Health);

        // The next two polls find the call still stuck: two more failures, then Lost; no new transfer piles up.
        // Fake time moves on in small steps only until the driver says Lost, so a busy machine that is slow
        // to run the driver's poll cannot make the test skip past it into a fourth poll.
        await AdvanceUntilAsync(() => Driver.Health == DeviceHealth.Lost, TimeSpan.FromSeconds(2.4), "lost");
        Assert.Equal(3, Temperatures().Count);

        _chip.Hang = null;
        hang.Release();
        await AdvanceUntilAsync(() => Driver.Health == DeviceHealth.Ok, TimeSpan.FromSeconds(10), "recovered after the bus came back");
    }

    [Fact]
    public async Task MissingBus_IsLost_AndRetriedWithGrowingDelays()
    {
        _open = () =>
        {
            lock (_openTimes)
            {
                _openTimes.Add(_time.GetUtcNow());
            }

            throw new IOException("Error 2. Can not open I2C device file '/dev/i2c-1'.");
        };
        await StartAsync(waitForOk: false);
        await Eventually.TrueAsync(() => OpenCount == 1, "first probe");
        Assert.Equal(DeviceHealth.Lost, Driver.Health);

        for (var second = 1; second <= 31 && OpenCount < 6; second++)
        {
            await AdvanceAsync(TimeSpan.FromSeconds(1));
        }

        // Probes 1, 2, 4, 8, 16 s apart (a busy machine may run a timer a step late, never early).
        List<DateTimeOffset> opens;
        lock (_openTimes)
        {
            opens = [.. _openTimes];
        }

        var gaps = opens.Zip(opens.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.True(gaps.Count >= 4, $"only {opens.Count} probes");
        var expected = new[] { 1.0, 2, 4, 8, 16 };
        for (var i = 0; i < gaps.Count; i++)
        {
            Assert.InRange(gaps[i], expected[i], (expected[i] * 1.25) + 0.5);
        }

        Assert.Empty(_sink.Snapshot());
        Assert.False(_run!.IsCompleted);
    }

    [Fact]
    public async Task Backoff_DoublesFromOneSecond_UpToAMinute()
    {
        var time = new FakeTimeProvider();
        var waits = new List<double>();
        var waited = new SemaphoreSlim(0);
        var attempts = 0;
        var probing = ProbeBackoff.Default.Pipeline<string?>(time, found => found is null, wait =>
        {
            waits.Add(wait.TotalSeconds);
            waited.Release();
        });

        var run = probing.ExecuteAsync(_ => ValueTask.FromResult(++attempts < 9 ? null : "found"), CancellationToken.None).AsTask();
        for (var i = 0; i < 8; i++)
        {
            Assert.True(await waited.WaitAsync(TimeSpan.FromSeconds(10)), $"wait {i + 1}");
            time.Advance(TimeSpan.FromSeconds(60));
        }

        Assert.Equal("found", await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], waits);
    }

    private async Task StartAsync(bool waitForOk = true)
    {
        _open ??= () =>
        {
            _opens++;
            return new Mlx90614Sensor(_chip);
        };
        _driver = new PolledSensorDriver(Thermometer, Mlx90614Sensor.StreamList, _open, _time);
        _run = _driver.RunAsync(_sink, _stop.Token);
        if (waitForOk)
        {
            await Eventually.TrueAsync(() => Driver.Health == DeviceHealth.Ok, "first probe");
        }
    }

    private List<Sample> Temperatures() => [.. _sink.Snapshot().Where(s => s.Stream == StreamCodes.BodyTemperature)];

    /// <summary>
    /// Advances fake time until <paramref name="count"/> temperature samples exist. In steps, not a
    /// second at once: an advance made before the driver armed its next poll's timer (it was still busy
    /// with the last one on a loaded machine) would otherwise never fire that timer.
    /// </summary>
    private async Task TickAsync(int count)
    {
        while (Temperatures().Count < count)
        {
            var before = Temperatures().Count;
            await AdvanceUntilAsync(() => Temperatures().Count > before, TimeSpan.FromSeconds(30), $"sample {before + 1}");
        }
    }

    /// <summary>Advances fake time 100 ms at a time, giving the driver up to about 40 ms of real time after each step, until <paramref name="condition"/> holds.</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan atMost, string what)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var done = TimeSpan.Zero; done <= atMost; done += step)
        {
            for (var i = 0; i < 20 && !condition(); i++)
            {
                await Task.Delay(2);
            }

            if (condition())
            {
                return;
            }

            _time.Advance(step);
        }

        throw new TimeoutException($"not within {atMost} of fake time: {what}");
    }

    /// <summary>Advances the clock and lets the driver's continuations run.</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        var step = TimeSpan.FromMilliseconds(100);
        for (var done = TimeSpan.Zero; done < by; done += step)
        {
            _time.Advance(step < by - done ? step : by - done);
            await Task.Delay(1);
        }
    }
}
