namespace EdgeTwin.Inference.News2;

using EdgeTwin.Drivers.Configuration;

/// <summary>
/// How old a valid reading may be before NEWS2 refuses it. Continuous monitor streams go stale
/// in minutes; a cuff pressure cycles every 15-60 minutes; consciousness and oxygen are charted
/// by a nurse.
/// </summary>
public sealed class News2Options
{
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan RespirationRateMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan SpO2MaxAge { get; set; } = TimeSpan.FromMinutes(5);

    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan PulseMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan SystolicBpMaxAge { get; set; } = TimeSpan.FromMinutes(60);

    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan TemperatureMaxAge { get; set; } = TimeSpan.FromMinutes(60);

    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan ConsciousnessMaxAge { get; set; } = TimeSpan.FromHours(4);

    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan SupplementalOxygenMaxAge { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// For a parameter with several sources (pulse: ECG, oximeter, cuff; respiration rate: CO2 ...
    /// pleth), a source is <i>fresh</i> while its latest sample is valid and no older than this.
    /// NEWS2 takes the best fresh source; with none fresh, the best one within the parameter's
    /// maximum age. So an ECG whose leads came off, or that fell silent a minute ago, gives way to
    /// the oximeter's pulse rate instead of scoring its last heart rate for minutes.
    /// </summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan SourceFreshness { get; set; } = TimeSpan.FromMinutes(1);

    internal TimeSpan MaxAge(News2Parameter parameter) => parameter switch
    {
        News2Parameter.RespirationRate => RespirationRateMaxAge,
        News2Parameter.SpO2 => SpO2MaxAge,
        News2Parameter.Pulse => PulseMaxAge,
        News2Parameter.SystolicBp => SystolicBpMaxAge,
        News2Parameter.Temperature => TemperatureMaxAge,
        News2Parameter.Consciousness => ConsciousnessMaxAge,
        News2Parameter.SupplementalOxygen => SupplementalOxygenMaxAge,
        _ => throw new ArgumentOutOfRangeException(nameof(parameter), parameter, "unknown NEWS2 parameter"),
    };
}
