namespace EdgeTwin.Gateway.Tests.Alarms;

using System.Collections.Concurrent;
using EdgeTwin.Drivers.Gpio.Annunciation;

/// <summary>The buzzer and lights fake: remembers every level it was set to.</summary>
internal sealed class RecordingAnnunciator : IAnnunciator
{
    public ConcurrentQueue<AnnunciationLevel> Levels { get; } = new();

    public AnnunciationLevel Level { get; private set; }

    public DateTimeOffset? AudioPausedUntil => null;

    public void Set(AnnunciationLevel level)
    {
        Level = level;
        Levels.Enqueue(level);
    }

    public void PauseAudio(TimeSpan duration) => throw new NotSupportedException("not used by the alarm service");

    public Task RunAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
