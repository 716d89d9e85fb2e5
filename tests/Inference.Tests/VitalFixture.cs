namespace EdgeTwin.Inference.Tests;

using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Vitals;

/// <summary>Short names for the Drivers stream catalogue, and a helper to feed a patient.</summary>
internal static class VitalFixture
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    public static readonly StreamCode Hr = StreamCodes.HeartRate;
    public static readonly StreamCode Rr = StreamCodes.RespiratoryRate;
    public static readonly StreamCode Spo2 = StreamCodes.SpO2;
    public static readonly StreamCode Sbp = StreamCodes.SystolicBp;
    public static readonly StreamCode Temp = StreamCodes.BodyTemperature;
    public static readonly StreamCode Consciousness = StreamCodes.Consciousness;
    public static readonly StreamCode Oxygen = StreamCodes.SupplementalO2;
    public static readonly StreamCode Ecg = StreamCodes.EcgLeadII;
    public static readonly StreamCode PulseOximeter = StreamCodes.PulseRateOximetry;
    public static readonly StreamCode PulseCuff = StreamCodes.PulseRateNoninvasive;
    public static readonly StreamCode RrPleth = StreamCodes.RespiratoryRatePleth;

    public static Sample At(StreamCode code, DateTimeOffset at, double? value, string device = "mon-1") => new(device, code, at, value);

    /// <summary>A full set of readings at <paramref name="at"/>.</summary>
    public static void Feed(PatientVitals vitals, DateTimeOffset at, double rr, double spo2, bool oxygen, double sbp, double hr, int acvpu, double temp)
    {
        vitals.Observe(At(Rr, at, rr));
        vitals.Observe(At(Spo2, at, spo2));
        vitals.Observe(At(Oxygen, at, oxygen ? 1 : 0));
        vitals.Observe(At(Sbp, at, sbp));
        vitals.Observe(At(Hr, at, hr));
        vitals.Observe(At(Consciousness, at, acvpu));
        vitals.Observe(At(Temp, at, temp));
    }
}
