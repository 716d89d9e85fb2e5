namespace EdgeTwin.Telemetry.Desired;

/// <summary>
/// The alarm thresholds a desired document may set, with the range each must lie in. The ranges
/// are physiological bounds: a limit outside them (an SpO2 limit of 150 %) can only be a mistake,
/// and a mistaken limit silences or floods a ward, so the whole document is refused.
/// </summary>
public static class ThresholdCatalog
{
    private static readonly Spec[] Specs =
    [
        new("spo2Low", 50, 100, t => t.Spo2Low, (t, v) => t with { Spo2Low = v }),
        new("hrLow", 20, 120, t => t.HrLow, (t, v) => t with { HrLow = v }),
        new("hrHigh", 60, 300, t => t.HrHigh, (t, v) => t with { HrHigh = v }),
        new("rrLow", 3, 20, t => t.RrLow, (t, v) => t with { RrLow = v }),
        new("rrHigh", 10, 70, t => t.RrHigh, (t, v) => t with { RrHigh = v }),
        new("tempLow", 30, 37, t => t.TempLow, (t, v) => t with { TempLow = v }),
        new("tempHigh", 36, 43, t => t.TempHigh, (t, v) => t with { TempHigh = v }),
        new("sysBpLow", 50, 150, t => t.SysBpLow, (t, v) => t with { SysBpLow = v }),
        new("sysBpHigh", 90, 280, t => t.SysBpHigh, (t, v) => t with { SysBpHigh = v }),
    ];

    public static IEnumerable<string> Names => Specs.Select(s => s.Name);

    /// <summary>Null when <paramref name="name"/> may be set to <paramref name="value"/>, otherwise the problem.</summary>
    public static string? Check(string name, double value)
    {
        var spec = Find(name);
        if (spec is null)
        {
            return "unknown-setting";
        }

        return double.IsFinite(value) && value >= spec.Min && value <= spec.Max ? null : "out-of-range";
    }

    /// <summary>The range a desired document may set <paramref name="name"/> to (inclusive).</summary>
    public static (double Min, double Max) Range(string name) =>
        Find(name) is { } spec ? (spec.Min, spec.Max) : throw new ArgumentException($"unknown threshold {name}", nameof(name));

    public static AlarmThresholds With(AlarmThresholds thresholds, string name, double value) =>
        (Find(name) ?? throw new ArgumentException($"unknown threshold {name}", nameof(name))).Set(thresholds, value);

    public static double Get(AlarmThresholds thresholds, string name) =>
        (Find(name) ?? throw new ArgumentException($"unknown threshold {name}", nameof(name))).Get(thresholds);

    /// <summary>A low limit at or above its high limit would alarm forever: refuse it.</summary>
    public static string? CheckConsistent(AlarmThresholds t) =>
        t.HrLow >= t.HrHigh ? "inconsistent:hrLow>=hrHigh"
        : t.RrLow >= t.RrHigh ? "inconsistent:rrLow>=rrHigh"
        : t.TempLow >= t.TempHigh ? "inconsistent:tempLow>=tempHigh"
        : t.SysBpLow >= t.SysBpHigh ? "inconsistent:sysBpLow>=sysBpHigh"
        : null;

    private static Spec? Find(string name) => Array.Find(Specs, s => string.Equals(s.Name, name, StringComparison.Ordinal));

    private sealed record Spec(string Name, double Min, double Max, Func<AlarmThresholds, double> Get, Func<AlarmThresholds, double, AlarmThresholds> Set);
}
