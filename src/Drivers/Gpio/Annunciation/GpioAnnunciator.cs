namespace EdgeTwin.Drivers.Gpio.Annunciation;

using System.Device.Gpio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// Lights and buzzer on GPIO outputs, stepped every 25 ms on the injected clock. Pins are written
/// only when they change. A failing GPIO write is logged and retried at the next step; it never
/// stops the loop (the alarm must keep trying to sound).
/// </summary>
internal sealed partial class GpioAnnunciator : IAnnunciator
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan MaxAudioPause = TimeSpan.FromMinutes(2);

    private readonly GpioController _gpio;
    private readonly GpioAnnunciatorPins _pins;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private AnnunciationLevel _level;
    private DateTimeOffset _patternStart;
    private DateTimeOffset? _audioPausedUntil;
    private AnnunciatorOutputs? _written;
    private long _steps;

    private readonly QuietHours? _quiet;

    public GpioAnnunciator(GpioController gpio, GpioAnnunciatorPins pins, TimeProvider time, ILogger? logger = null, QuietHours? quiet = null)
    {
        _quiet = quiet;
        _gpio = gpio ?? throw new ArgumentNullException(nameof(gpio));
        _pins = pins;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _patternStart = time.GetUtcNow();
    }

    public AnnunciationLevel Level
    {
        get
        {
            lock (_gate)
            {
                return _level;
            }
        }
    }

    /// <summary>Pattern steps applied (tests wait on it instead of sleeping).</summary>
    internal long Steps => Interlocked.Read(ref _steps);

    public DateTimeOffset? AudioPausedUntil
    {
        get
        {
            lock (_gate)
            {
                return _audioPausedUntil;
            }
        }
    }

    public void Set(AnnunciationLevel level)
    {
        if (!Enum.IsDefined(level))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown annunciation level.");
        }

        lock (_gate)
        {
            if (level == _level)
            {
                return;
            }

            _level = level;
            _patternStart = _time.GetUtcNow();
        }

        LogLevelChanged(_logger, level);
        if (_quiet?.Withholds(level, _time.GetUtcNow()) == true && level != AnnunciationLevel.None)
        {
            QuietHoursLog.Withheld(_logger, level, _quiet.ToString());
        }
    }

    public void PauseAudio(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero || duration > MaxAudioPause)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, $"Audio pause must be between 0 and {MaxAudioPause}.");
        }

        lock (_gate)
        {
            _audioPausedUntil = _time.GetUtcNow() + duration;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _gpio.OpenPin(_pins.RedPin, PinMode.Output, PinValue.Low);
        _gpio.OpenPin(_pins.YellowPin, PinMode.Output, PinValue.Low);
        _gpio.OpenPin(_pins.BuzzerPin, PinMode.Output, PinValue.Low);
        _written = AnnunciatorOutputs.Off;
        try
        {
            using var timer = new PeriodicTimer(Step, _time);
            do
            {
                Apply(Current());
                Interlocked.Increment(ref _steps);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of a run.
        }
        finally
        {
            Apply(AnnunciatorOutputs.Off);
        }
    }

    public ValueTask DisposeAsync()
    {
        _gpio.Dispose();
        return ValueTask.CompletedTask;
    }

    private AnnunciatorOutputs Current()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var paused = (_audioPausedUntil is { } until && now < until) || _quiet?.Withholds(_level, now) == true;
            return AnnunciationPattern.At(_level, now - _patternStart, paused);
        }
    }

    private void Apply(AnnunciatorOutputs outputs)
    {
        if (outputs == _written)
        {
            return;
        }

        try
        {
            _gpio.Write(_pins.RedPin, outputs.Red);
            _gpio.Write(_pins.YellowPin, outputs.Yellow);
            _gpio.Write(_pins.BuzzerPin, outputs.Buzzer);
            _written = outputs;
        }
        catch (Exception error) when (error is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            _written = null;
            LogWriteFailed(_logger, error.Message);
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Annunciation level is now {Level}")]
    private static partial void LogLevelChanged(ILogger logger, AnnunciationLevel level);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "Annunciator GPIO write failed; retrying at the next step: {Message}")]
    private static partial void LogWriteFailed(ILogger logger, string message);
}
