namespace EdgeTwin.Drivers.Simulation;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// A simulated bedside monitor. It wakes on the injected clock every <see cref="SimulatedBedSettings.WakeInterval"/>
/// and writes every sample whose time has come, stamped on the exact sample grid; so with a
/// <c>FakeTimeProvider</c> a test gets the same samples however it advances time.
/// </summary>
internal sealed partial class SimulatedBedDriver : IDeviceDriver
{
    private readonly IScenario _scenario;
    private readonly long _seed;
    private readonly SimulatedBedSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _running;
    private volatile int _health = (int)DeviceHealth.Ok;

    public SimulatedBedDriver(string deviceId, string scenario, long seed, SimulatedBedSettings settings, TimeProvider time, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        _scenario = ScenarioCatalog.Find(scenario);
        _seed = seed;
        _settings = settings;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        var streams = new BedSignalGenerator(deviceId, _scenario, seed, settings, DateTimeOffset.UnixEpoch).Streams;
        Info = new DeviceInfo(
            deviceId,
            $"EdgeTwin simulated bedside monitor ({_scenario.Name})",
            $"SIM-{seed}",
            typeof(SimulatedBedDriver).Assembly.GetName().Version?.ToString() ?? "0",
            null,
            streams);
    }

    public DeviceInfo Info { get; }

    public DeviceHealth Health => (DeviceHealth)_health;

    public string Scenario => _scenario.Name;

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"Simulated device {Info.DeviceId} is already running.");
        }

        try
        {
            var generator = new BedSignalGenerator(Info.DeviceId, _scenario, _seed, _settings, GridPump.AlignedStart(_time.GetUtcNow()));
            LogStarted(_logger, Info.DeviceId, _scenario.Name, _seed, generator.Start);
            _health = (int)DeviceHealth.Ok;
            await GridPump.RunAsync(generator, sink, _time, _settings.WakeInterval, () => UpdateHealth(generator.Probe), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void UpdateHealth(ProbeState probe)
    {
        var health = probe switch
        {
            ProbeState.Attached => DeviceHealth.Ok,
            ProbeState.FingerProbeOff => DeviceHealth.Degraded,
            _ => DeviceHealth.Lost,
        };
        if ((int)health != _health)
        {
            _health = (int)health;
            LogHealthChanged(_logger, Info.DeviceId, health, probe);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Simulated device {DeviceId} started: scenario {Scenario}, seed {Seed}, signal start {Start:O}")]
    private static partial void LogStarted(ILogger logger, string deviceId, string scenario, long seed, DateTimeOffset start);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Simulated device {DeviceId} health is now {Health} ({Probe})")]
    private static partial void LogHealthChanged(ILogger logger, string deviceId, DeviceHealth health, ProbeState probe);
}
