namespace EdgeTwin.Drivers.Gpio.Annunciation;

/// <summary>
/// The light and sound patterns as a pure function of time since the pattern started, after
/// IEC 60601-1-8: high priority flashes red at 1.4-2.8 Hz with a 10-pulse burst, medium flashes
/// yellow at 0.4-0.8 Hz with a 3-pulse burst, low is a steady light. Pulses are 150 ms on, 100 ms off.
/// </summary>
internal static class AnnunciationPattern
{
    public static readonly TimeSpan HighBurstPeriod = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MediumBurstPeriod = TimeSpan.FromSeconds(10);
    private const double PulseOnSeconds = 0.15;
    private const double PulseSpacingSeconds = 0.25;

    public static AnnunciatorOutputs At(AnnunciationLevel level, TimeSpan sinceStart, bool audioPaused) => level switch
    {
        AnnunciationLevel.High => new(
            Red: sinceStart.TotalSeconds % 0.5 < 0.25,
            Yellow: false,
            Buzzer: !audioPaused && InBurst(sinceStart, HighBurstPeriod, 10)),
        AnnunciationLevel.Medium => new(
            Red: false,
            Yellow: sinceStart.TotalSeconds % 2.0 < 1.0,
            Buzzer: !audioPaused && InBurst(sinceStart, MediumBurstPeriod, 3)),
        AnnunciationLevel.Low => new(Red: false, Yellow: true, Buzzer: false),
        _ => AnnunciatorOutputs.Off,
    };

    private static bool InBurst(TimeSpan sinceStart, TimeSpan period, int pulses)
    {
        var t = sinceStart.TotalSeconds % period.TotalSeconds;
        var pulse = (int)(t / PulseSpacingSeconds);
        return pulse < pulses && t - (pulse * PulseSpacingSeconds) < PulseOnSeconds;
    }
}
