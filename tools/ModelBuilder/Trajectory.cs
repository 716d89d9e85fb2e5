namespace EdgeTwin.ModelBuilder;

/// <summary>
/// One simulated patient, one value per minute: the true physiology (which the label is computed
/// from) and what the monitor reported (noise, artefacts, spot cuff and thermometer readings,
/// which the features are computed from). NaN in an observed array: no reading that minute.
/// </summary>
internal sealed class Trajectory(Scenario scenario, int minutes)
{
    public Scenario Scenario { get; } = scenario;

    public int Minutes { get; } = minutes;

    public VitalSeries True { get; } = new(minutes);

    public VitalSeries Observed { get; } = new(minutes);

    /// <summary>True ACVPU per minute (0 alert, 1 new confusion).</summary>
    public int[] Consciousness { get; } = new int[minutes];
}
