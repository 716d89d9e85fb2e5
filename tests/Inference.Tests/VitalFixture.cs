using EdgeTwin.Drivers.Model;
using EdgeTwin.Inference.Vitals;

namespace EdgeTwin.Inference.Tests;

/// <summary>Stream codes as the Drivers catalog defines them, and a helper to feed a patient.</summary>
internal static class VitalFixture
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 16, 0, 0, TimeSpan.Zero);

    public static readonly StreamCode Hr = new(VitalStreams.HeartRate, "/min", StreamKind.Vital, 1, "Heart rate");
    public static readonly StreamCode Rr = new(VitalStreams.RespirationRate, "/min", StreamKind.Vital, 1, "Respiration rate");
    public static readonly StreamCode Spo2 = new(VitalStreams.SpO2, "%", StreamKind.Vital, 1, "SpO2");
    public static readonly StreamCode Sbp = new(VitalStreams.SystolicBp, "mm[Hg]", StreamKind.Vital, 0, "Systolic BP");
    public static readonly StreamCode Temp = new(VitalStreams.Temperature, "Cel", StreamKind.Vital, 0, "Temperature");
    public static readonly StreamCode Consciousness = new(VitalStreams.Consciousness, "{score}", StreamKind.Vital, 0, "ACVPU");
    public static readonly StreamCode Oxygen = new(VitalStreams.SupplementalOxygen, "{flag}", StreamKind.Vital, 0, "Supplemental O2");
    public static readonly StreamCode Ecg = new("mdc:131330", "mV", StreamKind.Waveform, 250, "ECG II");

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
