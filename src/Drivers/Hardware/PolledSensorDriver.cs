namespace EdgeTwin.Drivers.Hardware;

using EdgeTwin.Drivers.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Runs one hardware sensor so that it can never take the gateway down: a read that throws, hangs
/// or returns an implausible value yields invalid (null) samples and turns the device Degraded;
/// repeated failures make it Lost, after which it is closed and re-probed with back-off on the
/// injected clock until it answers again. Other drivers are unaffected.
/// </summary>
internal sealed partial class PolledSensorDriver : IDeviceDriver
{
    private readonly Func<ISensor> _open;
    private readonly TimeProvider _time;
    private readonly PolledSensorOptions _options;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<SensorStream> _streams;
    private readonly Dictionary<string, WaveformClock> _clocks = new(StringComparer.Ordinal);
    private volatile int _health = (int)DeviceHealth.Lost;
    private volatile DeviceInfo _info;
    private int _running;
    private Task? _pendingRead;

    /// <param name="info">Identity before the first probe; serial and firmware are filled in from the chip.</param>
    /// <param name="streams">Streams and plausible ranges, as the sensor declares them.</param>
    /// <param name="open">Opens the bus and builds the sensor; called again for every re-probe.</param>
    public PolledSensorDriver(DeviceInfo info, IReadOnlyList<SensorStream> streams, Func<ISensor> open, TimeProvider time, PolledSensorOptions? options = null, ILogger? logger = null)
    {
        _info = info;
        _streams = streams;
        _open = open;
        _time = time;
        _options = options ?? PolledSensorOptions.Default;
        _logger = logger ?? NullLogger.Instance;
    }

    public DeviceInfo Info => _info;

    /// <summary>Lost until the first successful probe.</summary>
    public DeviceHealth Health => (DeviceHealth)_health;

    /// <summary>Failed reads and probes since start, for diagnostics and tests.</summary>
    public long Faults { get; private set; }

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"Device {Info.DeviceId} is already running.");
        }

        try
        {
            var probing = _options.Backoff.Pipeline<ISensor?>(_time, sensor => sensor is null);
            while (!cancellationToken.IsCancellationRequested)
            {
                var sensor = await probing.ExecuteAsync(async ct => await TryProbeAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                using (sensor)
                {
                    await PollUntilLostAsync(sensor!, sink, cancellationToken).ConfigureAwait(false);
                }

                await Task.Delay(_options.Backoff.First, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of a run.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<ISensor?> TryProbeAsync(CancellationToken cancellationToken)
    {
        ISensor? sensor = null;
        try
        {
            sensor = _open();
            var probing = sensor;
            var identity = await RunBoundedAsync(() => probing.Probe(), cancellationToken).ConfigureAwait(false);
            _info = _info with { Serial = identity.Serial, Firmware = identity.Firmware };
            _clocks.Clear();
            SetHealth(DeviceHealth.Ok, "probe succeeded");
            LogProbed(_logger, Info.DeviceId, Info.Model, identity.Serial, identity.Firmware);
            return sensor;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Faults++;
            LogProbeFailed(_logger, Info.DeviceId, Info.BusAddress, error.GetType().Name, error.Message);
            SetHealth(DeviceHealth.Lost, "probe failed");
            DisposeQuietly(sensor);
            return null;
        }
    }

    private async Task PollUntilLostAsync(ISensor sensor, ISampleSink sink, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(sensor.PollInterval, _time);
        var failures = 0;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = _time.GetUtcNow();
            var readout = new SensorReadout();
            string? fault = null;
            try
            {
                await RunBoundedAsync(() => sensor.Read(readout), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                fault = $"{error.GetType().Name}: {error.Message}";
            }

            if (fault is not null)
            {
                failures++;
                Faults++;
                LogReadFailed(_logger, Info.DeviceId, failures, fault);
                await WriteInvalidVitalsAsync(sink, now, cancellationToken).ConfigureAwait(false);
                if (failures >= _options.FailuresBeforeLost)
                {
                    SetHealth(DeviceHealth.Lost, $"{failures} failed reads");
                    return;
                }

                SetHealth(DeviceHealth.Degraded, fault);
                continue;
            }

            failures = 0;
            var problem = await WriteReadoutAsync(readout, sink, now, cancellationToken).ConfigureAwait(false) ?? readout.Fault;
            SetHealth(problem is null ? DeviceHealth.Ok : DeviceHealth.Degraded, problem ?? "reads ok");
        }
    }

    /// <summary>
    /// Runs a blocking bus call off the loop with a timeout. A call that hangs is abandoned, and no
    /// new call goes to that sensor until it returns, so hung reads cannot pile up threads.
    /// </summary>
    private async Task<T> RunBoundedAsync<T>(Func<T> call, CancellationToken cancellationToken)
    {
        if (_pendingRead is { IsCompleted: false })
        {
            throw new TimeoutException("The previous bus call has still not returned.");
        }

        var task = Task.Run(call, CancellationToken.None);
        _pendingRead = task;
        return await task.WaitAsync(_options.ReadTimeout, _time, cancellationToken).ConfigureAwait(false);
    }

    private Task RunBoundedAsync(Action call, CancellationToken cancellationToken) =>
        RunBoundedAsync(() =>
        {
            call();
            return true;
        }, cancellationToken);

    /// <returns>Null when every value was plausible, else what was not.</returns>
    private async Task<string?> WriteReadoutAsync(SensorReadout readout, ISampleSink sink, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string? implausible = null;
        foreach (var (stream, value) in readout.Vitals)
        {
            var checkedValue = Check(stream, value, ref implausible);
            await sink.WriteAsync(new Sample(Info.DeviceId, stream, now, checkedValue), cancellationToken).ConfigureAwait(false);
        }

        foreach (var group in readout.WaveformSamples.GroupBy(s => s.Stream.Code, StringComparer.Ordinal))
        {
            var samples = group.ToList();
            var stream = samples[0].Stream;
            if (!_clocks.TryGetValue(stream.Code, out var clock) || clock.Drifted(now, samples.Count))
            {
                clock = new WaveformClock(now, samples.Count, stream.NominalRateHz);
                _clocks[stream.Code] = clock;
            }

            foreach (var (_, value) in samples)
            {
                var checkedValue = Check(stream, value, ref implausible);
                await sink.WriteAsync(new Sample(Info.DeviceId, stream, clock.Next(), checkedValue), cancellationToken).ConfigureAwait(false);
            }
        }

        return implausible;
    }

    private double? Check(StreamCode stream, double? value, ref string? implausible)
    {
        if (value is not { } v)
        {
            return null;
        }

        var range = _streams.FirstOrDefault(s => s.Code.Code == stream.Code);
        if (range.Code is not null && !range.IsPlausible(v))
        {
            implausible ??= $"{stream.Display} {v} outside {range.Min}-{range.Max} {stream.Unit}";
            LogImplausible(_logger, Info.DeviceId, stream.Code, v, range.Min, range.Max);
            return null;
        }

        return v;
    }

    private async Task WriteInvalidVitalsAsync(ISampleSink sink, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var stream in _streams.Where(s => s.Code.Kind == StreamKind.Vital))
        {
            await sink.WriteAsync(new Sample(Info.DeviceId, stream.Code, now, null), cancellationToken).ConfigureAwait(false);
        }
    }

    private void SetHealth(DeviceHealth health, string reason)
    {
        if ((int)health != _health)
        {
            _health = (int)health;
            LogHealthChanged(_logger, Info.DeviceId, health, reason);
        }
    }

    private static void DisposeQuietly(ISensor? sensor)
    {
        try
        {
            sensor?.Dispose();
        }
        catch (IOException)
        {
            // Closing a device that has vanished may fail; there is nothing left to release.
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Device {DeviceId} ({Model}) answered: serial {Serial}, firmware {Firmware}")]
    private static partial void LogProbed(ILogger logger, string deviceId, string model, string serial, string firmware);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Device {DeviceId} at {BusAddress} did not answer the probe: {Error}: {Message}")]
    private static partial void LogProbeFailed(ILogger logger, string deviceId, string? busAddress, string error, string message);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Device {DeviceId} read failed ({Failures} in a row): {Fault}")]
    private static partial void LogReadFailed(ILogger logger, string deviceId, int failures, string fault);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Device {DeviceId} reported implausible {Code} = {Value} (plausible {Min}-{Max}); sample marked invalid")]
    private static partial void LogImplausible(ILogger logger, string deviceId, string code, double value, double min, double max);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Device {DeviceId} health is now {Health}: {Reason}")]
    private static partial void LogHealthChanged(ILogger logger, string deviceId, DeviceHealth health, string reason);
}
