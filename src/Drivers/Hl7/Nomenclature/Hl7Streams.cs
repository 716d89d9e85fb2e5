namespace EdgeTwin.Drivers.Hl7.Nomenclature;

using EdgeTwin.Drivers.Model;

/// <summary>The streams a monitor's ORU^R01 can give, with their plausible ranges.</summary>
internal static class Hl7Streams
{
    public static readonly Hl7Stream HeartRate = new(StreamCodes.HeartRate, 20, 300, RateOf.Beats);
    public static readonly Hl7Stream PulseRateOximetry = new(StreamCodes.PulseRateOximetry, 20, 300, RateOf.Beats);
    public static readonly Hl7Stream PulseRateNoninvasive = new(StreamCodes.PulseRateNoninvasive, 20, 300, RateOf.Beats);
    public static readonly Hl7Stream RespiratoryRate = new(StreamCodes.RespiratoryRate, 2, 80, RateOf.Breaths);
    public static readonly Hl7Stream RespiratoryRateCo2 = new(StreamCodes.RespiratoryRateCo2, 2, 80, RateOf.Breaths);
    public static readonly Hl7Stream RespiratoryRateAirwayFlow = new(StreamCodes.RespiratoryRateAirwayFlow, 2, 80, RateOf.Breaths);
    public static readonly Hl7Stream RespiratoryRateAcoustic = new(StreamCodes.RespiratoryRateAcoustic, 2, 80, RateOf.Breaths);
    public static readonly Hl7Stream RespiratoryRatePleth = new(StreamCodes.RespiratoryRatePleth, 2, 80, RateOf.Breaths);
    public static readonly Hl7Stream SpO2 = new(StreamCodes.SpO2, 50, 100);
    public static readonly Hl7Stream Temperature = new(StreamCodes.BodyTemperature, 30, 43);
    public static readonly Hl7Stream Systolic = new(StreamCodes.SystolicBp, 40, 300);
    public static readonly Hl7Stream Diastolic = new(StreamCodes.DiastolicBp, 15, 200);
    public static readonly Hl7Stream Mean = new(StreamCodes.MeanBp, 20, 250);
    public static readonly Hl7Stream Weight = new(StreamCodes.BodyWeight, 0.5, 350);

    /// <summary>ACVPU as the catalogue scores it (0 = A ... 4 = U), as a spot-check monitor's early-warning entry sends it.</summary>
    public static readonly Hl7Stream Consciousness = new(StreamCodes.Consciousness, 0, 4, WholeNumbers: true);

    /// <summary>0 = air, 1 = supplemental oxygen, as the catalogue codes it.</summary>
    public static readonly Hl7Stream SupplementalO2 = new(StreamCodes.SupplementalO2, 0, 1, WholeNumbers: true);

    /// <summary>Every stream, in catalogue order; a LOINC-coded OBX (coding system LN) maps to the one with its code.</summary>
    public static IReadOnlyList<Hl7Stream> All { get; } =
    [
        HeartRate, PulseRateOximetry, PulseRateNoninvasive,
        RespiratoryRate, RespiratoryRateCo2, RespiratoryRateAirwayFlow, RespiratoryRateAcoustic, RespiratoryRatePleth,
        SpO2, Temperature, Systolic, Diastolic, Mean, Weight, Consciousness, SupplementalO2,
    ];
}
