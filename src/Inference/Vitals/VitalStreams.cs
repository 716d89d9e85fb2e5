namespace EdgeTwin.Inference.Vitals;

/// <summary>
/// The vital-sign streams inference reads (codes of the Drivers <c>StreamCodes</c> catalog) and the
/// range a real patient can have: a value outside it is a sensor or transmission fault, not a reading.
/// </summary>
public static class VitalStreams
{
    public const string HeartRate = "loinc:8867-4";
    public const string PulseRateOximetry = "loinc:8889-8";
    public const string PulseRateNoninvasive = "loinc:76477-9";
    public const string RespirationRate = "loinc:9279-1";
    public const string RespirationRateCo2 = "loinc:76172-6";
    public const string RespirationRateAirwayFlow = "loinc:76171-8";
    public const string RespirationRateAcoustic = "loinc:76170-0";
    public const string RespirationRatePleth = "loinc:76174-2";
    public const string SpO2 = "loinc:59408-5";
    public const string Temperature = "loinc:8310-5";
    public const string SystolicBp = "loinc:8480-6";
    public const string DiastolicBp = "loinc:8462-4";
    public const string Consciousness = "loinc:80288-4";
    public const string SupplementalOxygen = "loinc:3150-0";

    /// <summary>
    /// The streams that can give NEWS2 its pulse, best first: the ECG heart rate, then the pulse
    /// rate of the oximeter (continuous), then the cuff's (one per measurement).
    /// </summary>
    public static IReadOnlyList<string> PulseSources { get; } = [HeartRate, PulseRateOximetry, PulseRateNoninvasive];

    /// <summary>
    /// The streams that can give NEWS2 its respiration rate, best first: those that measure the
    /// breath itself (CO2, airway flow), then the monitor's usual rate (transthoracic impedance or
    /// a method not stated), then acoustic, then the rate derived from the pulse oximeter's pleth.
    /// </summary>
    public static IReadOnlyList<string> RespirationSources { get; } =
        [RespirationRateCo2, RespirationRateAirwayFlow, RespirationRate, RespirationRateAcoustic, RespirationRatePleth];

    /// <summary>Whether <paramref name="code"/> is a stream inference keeps; waveforms and others are ignored.</summary>
    public static bool IsTracked(string code) => TryGetRange(code, out _, out _);

    /// <summary>True when <paramref name="value"/> is finite and plausible for the stream.</summary>
    public static bool IsPlausible(string code, double value)
    {
        if (!double.IsFinite(value) || !TryGetRange(code, out var min, out var max))
        {
            return false;
        }

        if (code is Consciousness or SupplementalOxygen && value != Math.Floor(value))
        {
            return false;
        }

        return value >= min && value <= max;
    }

    private static bool TryGetRange(string code, out double min, out double max)
    {
        (min, max) = code switch
        {
            HeartRate or PulseRateOximetry or PulseRateNoninvasive => (1d, 300d),
            RespirationRate or RespirationRateCo2 or RespirationRateAirwayFlow or RespirationRateAcoustic or RespirationRatePleth => (0d, 100d),
            SpO2 => (1d, 100d),
            Temperature => (25d, 45d),
            SystolicBp => (20d, 300d),
            DiastolicBp => (10d, 250d),
            Consciousness => (0d, 4d),
            SupplementalOxygen => (0d, 1d),
            _ => (double.NaN, double.NaN),
        };
        return !double.IsNaN(min);
    }
}
