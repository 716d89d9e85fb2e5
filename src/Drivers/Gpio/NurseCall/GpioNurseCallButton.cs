namespace EdgeTwin.Drivers.Gpio.NurseCall;

using System.Device.Gpio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// A normally-open push button from a GPIO pin to ground, with the internal pull-up: pressed reads
/// Low. Polled every 5 ms on the injected clock; a press counts once the pin has read pressed for
/// 30 ms in a row (contact bounce lasts a few ms), and the next press only after a release as steady.
/// </summary>
internal sealed partial class GpioNurseCallButton : INurseCallButton
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    public static readonly TimeSpan DebounceTime = TimeSpan.FromMilliseconds(30);

    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _polls;
    private bool _stable;
    private DateTimeOffset? _changedSince;

    public GpioNurseCallButton(string buttonId, GpioController gpio, int pin, TimeProvider time, ILogger? logger = null)
    {
        ButtonId = buttonId;
        _gpio = gpio ?? throw new ArgumentNullException(nameof(gpio));
        _pin = pin;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    public string ButtonId { get; }

    /// <summary>Polls completed (tests wait on it instead of sleeping).</summary>
    internal long Polls => Interlocked.Read(ref _polls);

    public event EventHandler<NurseCallPressedEventArgs>? Pressed;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _gpio.OpenPin(_pin, PinMode.InputPullUp);
        try
        {
            using var timer = new PeriodicTimer(PollInterval, _time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Poll();
                Interlocked.Increment(ref _polls);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal end of a run.
        }
    }

    public ValueTask DisposeAsync()
    {
        _gpio.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Poll()
    {
        bool pressed;
        try
        {
            pressed = _gpio.Read(_pin) == PinValue.Low;
        }
        catch (Exception error) when (error is IOException or InvalidOperationException)
        {
            LogReadFailed(_logger, ButtonId, error.Message);
            return;
        }

        var now = _time.GetUtcNow();
        if (pressed == _stable)
        {
            _changedSince = null;
            return;
        }

        _changedSince ??= now;
        if (now - _changedSince < DebounceTime)
        {
            return;
        }

        _stable = pressed;
        _changedSince = null;
        if (pressed)
        {
            LogPressed(_logger, ButtonId);
            Pressed?.Invoke(this, new NurseCallPressedEventArgs(ButtonId, now));
        }
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Nurse call {ButtonId} pressed")]
    private static partial void LogPressed(ILogger logger, string buttonId);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Nurse call {ButtonId} input could not be read: {Message}")]
    private static partial void LogReadFailed(ILogger logger, string buttonId, string message);
}
