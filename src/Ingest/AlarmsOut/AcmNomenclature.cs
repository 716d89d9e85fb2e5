namespace EdgeTwin.Ingest.AlarmsOut;

/// <summary>
/// The box's alarm conditions (docs/inference.md: the default threshold rules, NEWS2, the model,
/// technical alarms) mapped to the terms PCD-04 carries. Terms are written as the standard's table
/// has them (partition, term code, reference id); where each comes from: docs/alarms-out.md.
/// A condition not listed (a site's own threshold rule) goes out as the generic MDC_EVT_ALARM with
/// the box's condition id as the local code, never dropped.
/// </summary>
internal static class AcmNomenclature
{
    private const int Scada = 2;
    private const int Event = 3;
    private const int Dimension = 4;
    private const int Attribute = 1;

    public static AcmTerm Alarm { get; } = new(Event, 8, "MDC_EVT_ALARM");

    public static AcmTerm High { get; } = new(Event, 40, "MDC_EVT_HI");

    public static AcmTerm Low { get; } = new(Event, 44, "MDC_EVT_LO");

    public static AcmTerm AlertSource { get; } = new(Attribute, 2944, "MDC_ATTR_ALERT_SOURCE");

    public static AcmTerm EventPhase { get; } = new(Attribute, 2945, "MDC_ATTR_EVENT_PHASE");

    public static AcmTerm AlarmState { get; } = new(Attribute, 2946, "MDC_ATTR_ALARM_STATE");

    public static AcmTerm InactivationState { get; } = new(Attribute, 2947, "MDC_ATTR_ALARM_INACTIVATION_STATE");

    public static AcmTerm AlarmPriority { get; } = new(Attribute, 2948, "MDC_ATTR_ALARM_PRIORITY");

    public static AcmTerm AlertType { get; } = new(Attribute, 2949, "MDC_ATTR_ALERT_TYPE");

    private static readonly AcmTerm SpO2 = new(Scada, 19384, "MDC_PULS_OXIM_SAT_O2");
    private static readonly AcmTerm HeartRate = new(Scada, 16770, "MDC_ECG_HEART_RATE");
    private static readonly AcmTerm RespRate = new(Scada, 20490, "MDC_RESP_RATE");
    private static readonly AcmTerm Systolic = new(Scada, 18949, "MDC_PRESS_BLD_NONINV_SYS");
    private static readonly AcmTerm Temperature = new(Scada, 19292, "MDC_TEMP_BODY");
    private static readonly AcmTerm Percent = new(Dimension, 544, "MDC_DIM_PERCENT");
    private static readonly AcmTerm BeatsPerMinute = new(Dimension, 2720, "MDC_DIM_BEAT_PER_MIN");
    private static readonly AcmTerm BreathsPerMinute = new(Dimension, 2784, "MDC_DIM_RESP_PER_MIN");
    private static readonly AcmTerm MillimetresOfMercury = new(Dimension, 3872, "MDC_DIM_MMHG");
    private static readonly AcmTerm DegreesCelsius = new(Dimension, 6048, "MDC_DIM_DEGC");

    private static readonly Dictionary<string, AcmCondition> Known = new(StringComparer.Ordinal)
    {
        ["spo2-low"] = new(Low, SpO2, Percent, "L", false),
        ["spo2-critical"] = new(Low, SpO2, Percent, "LL", false),
        ["hr-low"] = new(Low, HeartRate, BeatsPerMinute, "L", false),
        ["hr-high"] = new(High, HeartRate, BeatsPerMinute, "H", false),
        ["rr-low"] = new(Low, RespRate, BreathsPerMinute, "L", false),
        ["rr-high"] = new(High, RespRate, BreathsPerMinute, "H", false),
        ["sbp-low"] = new(Low, Systolic, MillimetresOfMercury, "L", false),
        ["sbp-high"] = new(High, Systolic, MillimetresOfMercury, "H", false),
        ["temp-low"] = new(Low, Temperature, DegreesCelsius, "L", false),
        ["temp-high"] = new(High, Temperature, DegreesCelsius, "H", false),
        ["news2-high"] = new(Alarm, null, null, null, false),
        ["news2-medium"] = new(Alarm, null, null, null, false),
        ["news2-low-medium"] = new(Alarm, null, null, null, false),
        ["model-deterioration"] = new(Alarm, null, null, null, false),
        ["device-lost"] = new(Alarm, null, null, null, true),
        ["uplink-down"] = new(Alarm, null, null, null, true),
        ["model-unavailable"] = new(Alarm, null, null, null, true),
        ["storage-full"] = new(Alarm, null, null, null, true),
    };

    /// <summary>The mapping of <paramref name="condition"/>; sensor-off conditions are technical.</summary>
    public static AcmCondition For(string condition) =>
        Known.TryGetValue(condition, out var known) ? known
        : new AcmCondition(Alarm, null, null, null, condition.StartsWith("sensor-off:", StringComparison.Ordinal));

    /// <summary>IEC 60601-1-8 priority to the ACM OBX-8 / MDC_ATTR_ALARM_PRIORITY code.</summary>
    public static string Priority(string priority) => priority switch
    {
        "high" => "PH",
        "medium" => "PM",
        "low" => "PL",
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "not an IEC 60601-1-8 priority"),
    };

    public static int Rank(string priority) => priority switch
    {
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        _ => 0,
    };
}
