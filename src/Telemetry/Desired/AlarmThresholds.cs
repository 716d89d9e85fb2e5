namespace EdgeTwin.Telemetry.Desired;

/// <summary>
/// Bedside alarm limits in force (units as the streams: %, /min, Cel, mm[Hg]). Defaults follow the
/// NEWS2 red-score boundaries, so a box with no desired state alarms where a ward would expect it.
/// </summary>
public sealed record AlarmThresholds(
    double Spo2Low,
    double HrLow,
    double HrHigh,
    double RrLow,
    double RrHigh,
    double TempLow,
    double TempHigh,
    double SysBpLow,
    double SysBpHigh)
{
    public static AlarmThresholds Default { get; } = new(
        Spo2Low: 91, HrLow: 40, HrHigh: 131, RrLow: 8, RrHigh: 25, TempLow: 35.0, TempHigh: 39.1, SysBpLow: 90, SysBpHigh: 220);
}
