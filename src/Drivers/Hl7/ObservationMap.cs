namespace EdgeTwin.Drivers.Hl7;

using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;

/// <summary>
/// Which OBX-3 observation identifiers become which of our streams, with each stream's plausible
/// range (a value outside it is published as an invalid sample, as the chip drivers do). IEEE 11073
/// MDC codes are what bedside monitors send (IHE PCD-01); LOINC codes are taken when OBX-3 names the
/// coding system LN. Deliberately not mapped: pulse rate from the oximeter (149530) and invasive
/// arterial pressures, which would collide with the ECG heart rate and the cuff pressures.
/// </summary>
internal static class ObservationMap
{
    private static readonly SensorStream HeartRate = new(StreamCodes.HeartRate, 20, 300);
    private static readonly SensorStream RespiratoryRate = new(StreamCodes.RespiratoryRate, 2, 80);
    private static readonly SensorStream SpO2 = new(StreamCodes.SpO2, 50, 100);
    private static readonly SensorStream Temperature = new(StreamCodes.BodyTemperature, 30, 43);
    private static readonly SensorStream Systolic = new(StreamCodes.SystolicBp, 40, 300);
    private static readonly SensorStream Diastolic = new(StreamCodes.DiastolicBp, 15, 200);
    private static readonly SensorStream Weight = new(StreamCodes.BodyWeight, 0.5, 350);

    /// <summary>MDC numeric code, its reference id, and the stream.</summary>
    public static IReadOnlyList<(string Code, string Name, SensorStream Stream)> Mdc { get; } =
    [
        ("147842", "MDC_ECG_HEART_RATE", HeartRate),
        ("150456", "MDC_PULS_OXIM_SAT_O2", SpO2),
        ("151562", "MDC_RESP_RATE", RespiratoryRate),
        ("150344", "MDC_TEMP", Temperature),
        ("150364", "MDC_TEMP_BODY", Temperature),
        ("150301", "MDC_PRESS_BLD_NONINV_SYS", Systolic),
        ("150302", "MDC_PRESS_BLD_NONINV_DIA", Diastolic),
    ];

    /// <summary>LOINC codes (coding system LN): the vital signs of our catalogue that a monitor sends as numbers.</summary>
    public static IReadOnlyList<SensorStream> Loinc { get; } = [HeartRate, RespiratoryRate, SpO2, Temperature, Systolic, Diastolic, Weight];

    /// <summary>
    /// Maps OBX-3 (identifier, text, coding system). An MDC code is recognised by coding system
    /// MDC (or 99MDC, as some monitors send it); the identifier and the text must not contradict each other.
    /// </summary>
    public static bool TryMap(string identifier, string text, string codingSystem, out SensorStream stream)
    {
        stream = default;
        if (codingSystem is "LN")
        {
            foreach (var candidate in Loinc)
            {
                if (candidate.Code.Code == "loinc:" + identifier)
                {
                    stream = candidate;
                    return true;
                }
            }

            return false;
        }

        if (codingSystem is not ("MDC" or "99MDC"))
        {
            return false;
        }

        foreach (var (code, name, candidate) in Mdc)
        {
            if (code == identifier && (text.Length == 0 || text == name))
            {
                stream = candidate;
                return true;
            }
        }

        return false;
    }
}
