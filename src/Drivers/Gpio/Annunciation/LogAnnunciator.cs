namespace EdgeTwin.Drivers.Gpio.Annunciation;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>
/// The annunciator of a box without lights or buzzer (the simulated ward, a home gateway): it keeps
/// the level for the status page and writes each change to the log, and drives nothing.
/// </summary>
internal sealed partial class LogAnnunciator(TimeProvider time, ILogger? logger = null, QuietHours? quiet = null) : IAnnunciator
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private volatile int _level;
    private DateTimeOffset? _audioPausedUntil;

    public AnnunciationLevel Level => (AnnunciationLevel)_level;

    public DateTimeOffset? AudioPausedUntil => _audioPausedUntil;

    public void Set(AnnunciationLevel level)
    {
        if (!Enum.IsDefined(level))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown annunciation level.");
        }

        if (Interlocked.Exchange(ref _level, (int)level) != (int)level)
        {
            LogLevelChanged(_logger, level);
            if (quiet?.Withholds(level, time.GetUtcNow()) == true && level != AnnunciationLevel.None)
            {
                QuietHoursLog.Withheld(_logger, level, quiet.ToString());
            }
        }
    }

    public void PauseAudio(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromMinutes(2))
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Audio pause must be between 0 and 2 minutes.");
        }

        _audioPausedUntil = time.GetUtcNow() + duration;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Nothing to switch off.
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Annunciation level is now {Level} (no local lights or buzzer on this box)")]
    private static partial void LogLevelChanged(ILogger logger, AnnunciationLevel level);
}
