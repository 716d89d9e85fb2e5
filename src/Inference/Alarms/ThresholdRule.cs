namespace EdgeTwin.Inference.Alarms;

using System.ComponentModel.DataAnnotations;

/// <summary>
/// A limit alarm on one vital stream: met below <see cref="Below"/> or above <see cref="Above"/>;
/// once met it stays met until the value is back inside the limit by <see cref="Hysteresis"/>, so a
/// value hovering at the limit does not flap.
/// </summary>
public sealed class ThresholdRule
{
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9:.-]*$")]
    public string Condition { get; set; } = "";

    /// <summary>
    /// Stream code, e.g. <c>loinc:59408-5</c>. A heart or pulse rate, or a respiration rate, stands
    /// for the quantity: the rule reads whichever of its sources NEWS2 would (the fresh ECG heart
    /// rate, else the oximeter's pulse rate, else the cuff's), see <see cref="AlarmManager"/>.
    /// </summary>
    [Required]
    public string Stream { get; set; } = "";

    public double? Below { get; set; }

    public double? Above { get; set; }

    [Range(0.0, 1000.0)]
    public double Hysteresis { get; set; }

    public AlarmPriority Priority { get; set; } = AlarmPriority.Medium;

    [Required]
    public string Text { get; set; } = "";

    /// <summary>A copy, so rules handed in or out cannot be changed under the manager.</summary>
    public ThresholdRule Clone() => (ThresholdRule)MemberwiseClone();

    internal string? Problem() => (Below, Above) switch
    {
        (null, null) => $"threshold rule {Condition}: neither Below nor Above is set",
        ({ } b, { } a) when b >= a => $"threshold rule {Condition}: Below {b} is not under Above {a}",
        _ => null,
    };

    /// <summary>Whether the rule is met, given whether it was met before (the hysteresis).</summary>
    internal bool IsMet(double value, bool wasMet)
    {
        var margin = wasMet ? Hysteresis : 0;
        return (Below is { } below && value < below + margin) || (Above is { } above && value > above - margin);
    }
}
