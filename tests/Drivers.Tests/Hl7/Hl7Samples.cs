namespace EdgeTwin.Drivers.Tests.Hl7;

/// <summary>Messages as a bedside monitor sends them (IHE PCD-01 style), built per test.</summary>
internal static class Hl7Samples
{
    /// <summary>A Central European zone with EU daylight-saving rules, built here so tests do not depend on the machine's tzdata.</summary>
    public static TimeZoneInfo Berlin { get; } = TimeZoneInfo.CreateCustomTimeZone(
        "Test/Berlin",
        TimeSpan.FromHours(1),
        "Test/Berlin",
        "CET",
        "CEST",
        [
            TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
                new DateTime(2000, 1, 1),
                new DateTime(2099, 12, 31),
                TimeSpan.FromHours(1),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 5, DayOfWeek.Sunday),
                TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 3, 0, 0), 10, 5, DayOfWeek.Sunday)),
        ]);

    public const string HeartRate72 = "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1.1|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||20260701120005+0200";

    public const string SpO2Of97 = "OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.2|97|262688^MDC_DIM_PERCENT^MDC|||||F|||20260701120005+0200";

    public static string Header(string controlId, string type = "ORU^R01^ORU_R01", string processing = "P", string version = "2.6", string application = "MONITOR", string facility = "ICU") =>
        $"MSH|^~\\&|{application}|{facility}|EDGETWIN|BOX|20260701120006+0200||{type}|{controlId}|{processing}|{version}|||AL|NE";

    /// <summary>An ORU^R01 with PID, one OBR, and the given OBX segments, CR-separated as the standard says.</summary>
    public static string Oru(string controlId, params string[] observations) =>
        string.Join('\r', [Header(controlId), "PID|||12345^^^HOSP^MR||Doe^Jane", "OBR|1|||182777000^monitoring of patient^SNOMED-CT|||20260701120000+0200", .. observations]) + "\r";

    /// <summary>One OBX with the given pieces; the rest as a monitor fills them.</summary>
    public static string Obx(string code, string value, string unit, string status = "F", string time = "20260701120005+0200", string type = "NM") =>
        $"OBX|1|{type}|{code}||{value}|{unit}|||||{status}|||{time}";
}
