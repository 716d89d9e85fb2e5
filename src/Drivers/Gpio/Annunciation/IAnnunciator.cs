namespace EdgeTwin.Drivers.Gpio.Annunciation;

/// <summary>
/// Local alarm signals (lights and buzzer) the alarm logic drives. <see cref="Set"/> takes effect
/// at the next pattern step (within 25 ms); <see cref="RunAsync"/> drives the outputs until cancelled
/// and leaves them off.
/// </summary>
public interface IAnnunciator : IAsyncDisposable
{
    AnnunciationLevel Level { get; }

    /// <summary>Audio paused until then (a nurse acknowledged); lights go on.</summary>
    DateTimeOffset? AudioPausedUntil { get; }

    /// <summary>Shows the highest active priority; the pattern restarts when the level changes.</summary>
    void Set(AnnunciationLevel level);

    /// <summary>Pauses the buzzer (not the lights) for <paramref name="duration"/> (IEC 60601-1-8 audio paused, at most 2 min here).</summary>
    void PauseAudio(TimeSpan duration);

    Task RunAsync(CancellationToken cancellationToken);
}
