namespace EdgeTwin.Inference.Tests.Simulation;

using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Vitals;
using Microsoft.Extensions.Time.Testing;

/// <summary>
/// One bed of the Drivers simulator on a fake clock, feeding a patient's vitals the way the
/// gateway pipeline does. <see cref="AdvanceAsync"/> moves the clock and waits (with a timeout,
/// never a sleep) until the driver has delivered the vitals up to the new time.
/// </summary>
internal sealed class SimulatedBed : ISampleSink, IAsyncDisposable
{
    private readonly FakeTimeProvider _time;
    private readonly IDeviceDriver _driver;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly SemaphoreSlim _written = new(0);
    private readonly Action<Sample>? _onSample;
    private long _lastHeartRateTicks;

    public SimulatedBed(FakeTimeProvider time, string scenario, PatientVitals vitals, Action<Sample>? onSample = null)
    {
        _time = time;
        Vitals = vitals;
        _onSample = onSample;
        var options = new DriverOptions { Simulation = new SimulationOptions { Beds = 1, Scenario = scenario, EcgRateHz = 0, PlethRateHz = 0, WakeIntervalMs = 1000 } };
        _driver = new DriverFactory(time).Create(options)[0];
        _run = _driver.RunAsync(this, _stop.Token);
    }

    public PatientVitals Vitals { get; }

    public string DeviceId => _driver.Info.DeviceId;

    public DeviceHealth Health => _driver.Health;

    public ValueTask WriteAsync(Sample sample, CancellationToken cancellationToken)
    {
        Vitals.Observe(sample);
        _onSample?.Invoke(sample);
        if (sample.Stream.Code == VitalStreams.HeartRate)
        {
            Interlocked.Exchange(ref _lastHeartRateTicks, sample.Timestamp.UtcTicks);
            _written.Release();
        }

        return ValueTask.CompletedTask;
    }

    public async Task AdvanceAsync(TimeSpan by)
    {
        _time.Advance(by);
        var target = _time.GetUtcNow().UtcTicks - TimeSpan.TicksPerSecond;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        // A lost device sends nothing more: then the health change is what there is to wait for.
        while (Interlocked.Read(ref _lastHeartRateTicks) < target && _driver.Health != DeviceHealth.Lost)
        {
            await _written.WaitAsync(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            // The driver ends by cancellation.
        }

        await _driver.DisposeAsync();
        _stop.Dispose();
        _written.Dispose();
    }
}
