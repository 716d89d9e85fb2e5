namespace EdgeTwin.Drivers.Replay;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Plays a recorded ECG at its real rate (MIT-BIH record 208 at 360 Hz by default) and reports the
/// heart rate its QRS detector finds, once a second. Without looping, the device is Lost at the end.
/// </summary>
internal sealed partial class EcgReplayDriver : IDeviceDriver
{
    private readonly EcgRecording _recording;
    private readonly bool _loop;
    private readonly TimeProvider _time;
    private readonly TimeSpan _wakeInterval;
    private readonly ILogger _logger;
    private int _running;
    private volatile int _health = (int)DeviceHealth.Ok;

    public EcgReplayDriver(string deviceId, EcgRecording recording, bool loop, TimeProvider time, TimeSpan wakeInterval, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        _recording = recording;
        _loop = loop;
        _time = time;
        _wakeInterval = wakeInterval;
        _logger = logger ?? NullLogger.Instance;
        Info = new DeviceInfo(
            deviceId,
            $"EdgeTwin ECG replay ({recording.Name})",
            recording.Name,
            typeof(EcgReplayDriver).Assembly.GetName().Version?.ToString() ?? "0",
            null,
            [recording.Ecg, StreamCodes.HeartRate]);
    }

    public DeviceInfo Info { get; }

    public DeviceHealth Health => (DeviceHealth)_health;

    public async Task RunAsync(ISampleSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"Replay device {Info.DeviceId} is already running.");
        }

        try
        {
            var source = new EcgReplaySource(Info.DeviceId, _recording, _loop, GridPump.AlignedStart(_time.GetUtcNow()));
            _health = (int)DeviceHealth.Ok;
            LogStarted(_logger, Info.DeviceId, _recording.Name, _recording.SampleRateHz, _loop);
            await GridPump.RunAsync(source, sink, _time, _wakeInterval, () =>
            {
                if (source.Finished && _health != (int)DeviceHealth.Lost)
                {
                    _health = (int)DeviceHealth.Lost;
                    LogEnded(_logger, Info.DeviceId, source.BeatCount);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "ECG replay {DeviceId} started: {Recording} at {RateHz} Hz, loop {Loop}")]
    private static partial void LogStarted(ILogger logger, string deviceId, string recording, double rateHz, bool loop);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "ECG replay {DeviceId} reached the end of its recording after {Beats} detected beats; device is now Lost")]
    private static partial void LogEnded(ILogger logger, string deviceId, long beats);
}
