namespace EdgeTwin.Inference.News2;

/// <summary>NEWS2 bands, parameters and reasons as alarm texts and the reported twin spell them.</summary>
public static class News2Wire
{
    public static string Band(News2RiskBand band) => band switch
    {
        News2RiskBand.Low => "low",
        News2RiskBand.LowMedium => "low-medium",
        News2RiskBand.Medium => "medium",
        News2RiskBand.High => "high",
        _ => throw new ArgumentOutOfRangeException(nameof(band), band, "unknown NEWS2 band"),
    };

    public static string Parameter(News2Parameter parameter) => parameter switch
    {
        News2Parameter.RespirationRate => "respiration-rate",
        News2Parameter.SpO2 => "spo2",
        News2Parameter.SupplementalOxygen => "supplemental-oxygen",
        News2Parameter.SystolicBp => "systolic-bp",
        News2Parameter.Pulse => "pulse",
        News2Parameter.Consciousness => "consciousness",
        News2Parameter.Temperature => "temperature",
        _ => throw new ArgumentOutOfRangeException(nameof(parameter), parameter, "unknown NEWS2 parameter"),
    };

    public static string Reason(MissingReason reason) => reason switch
    {
        MissingReason.NoData => "no-data",
        MissingReason.Invalid => "invalid",
        MissingReason.Stale => "stale",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown reason"),
    };

    /// <summary>Each parameter the score left out, with why; empty for a complete score.</summary>
    public static IReadOnlyDictionary<string, string> Missing(News2Result score) =>
        score.Missing.ToDictionary(m => Parameter(m.Parameter), m => Reason(m.Reason), StringComparer.Ordinal);

    /// <summary>The stream each scored parameter was read from (wire name → stream code).</summary>
    public static IReadOnlyDictionary<string, string> Sources(News2Result score) =>
        score.Sources.ToDictionary(s => Parameter(s.Key), s => s.Value, StringComparer.Ordinal);
}
