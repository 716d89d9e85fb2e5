namespace EdgeTwin.Drivers.Model;

/// <summary>
/// The catalogue of stream codes every project shares (TEAM.md). Vital signs carry the LOINC code of
/// the FHIR R4 vital-signs profile and a UCUM unit; waveforms carry the IEEE 11073 MDC code. The
/// nominal rate is what the simulator produces by default; a real device states its own rate.
/// </summary>
public static class StreamCodes
{
    /// <summary>The heart rate from the ECG (or a source that counts beats of the heart itself).</summary>
    public static readonly StreamCode HeartRate = new("loinc:8867-4", "/min", StreamKind.Vital, 1, "Heart rate");

    /// <summary>Pulse rate counted by a pulse oximeter (LOINC "Heart rate by Pulse oximetry"), kept apart from the ECG heart rate.</summary>
    public static readonly StreamCode PulseRateOximetry = new("loinc:8889-8", "/min", StreamKind.Vital, 1, "Pulse rate (pulse oximetry)");

    /// <summary>Pulse rate from the non-invasive blood pressure cuff (LOINC "Heart rate by Noninvasive"), one per cuff cycle.</summary>
    public static readonly StreamCode PulseRateNoninvasive = new("loinc:76477-9", "/min", StreamKind.Vital, 1, "Pulse rate (non-invasive, cuff)");

    /// <summary>Respiratory rate, method not stated; what monitors send from the ECG leads' transthoracic impedance lands here.</summary>
    public static readonly StreamCode RespiratoryRate = new("loinc:9279-1", "/min", StreamKind.Vital, 1, "Respiratory rate");

    public static readonly StreamCode RespiratoryRateCo2 = new("loinc:76172-6", "/min", StreamKind.Vital, 1, "Respiratory rate (carbon dioxide)");

    public static readonly StreamCode RespiratoryRateAirwayFlow = new("loinc:76171-8", "/min", StreamKind.Vital, 1, "Respiratory rate (airway flow)");

    public static readonly StreamCode RespiratoryRateAcoustic = new("loinc:76170-0", "/min", StreamKind.Vital, 1, "Respiratory rate (acoustic)");

    public static readonly StreamCode RespiratoryRatePleth = new("loinc:76174-2", "/min", StreamKind.Vital, 1, "Respiratory rate (pulse oximetry plethysmogram)");

    public static readonly StreamCode SpO2 = new("loinc:59408-5", "%", StreamKind.Vital, 1, "Oxygen saturation (pulse oximetry)");

    public static readonly StreamCode BodyTemperature = new("loinc:8310-5", "Cel", StreamKind.Vital, 1, "Body temperature");

    public static readonly StreamCode SystolicBp = new("loinc:8480-6", "mm[Hg]", StreamKind.Vital, 1, "Systolic blood pressure");

    public static readonly StreamCode DiastolicBp = new("loinc:8462-4", "mm[Hg]", StreamKind.Vital, 1, "Diastolic blood pressure");

    public static readonly StreamCode MeanBp = new("loinc:8478-0", "mm[Hg]", StreamKind.Vital, 1, "Mean blood pressure");

    /// <summary>ACVPU as a score: 0 = Alert, 1 = new Confusion, 2 = Voice, 3 = Pain, 4 = Unresponsive.</summary>
    public static readonly StreamCode Consciousness = new("loinc:80288-4", "{score}", StreamKind.Vital, 1, "Level of consciousness (ACVPU)");

    /// <summary>0 = breathing air, 1 = on supplemental oxygen (NEWS2 scores it).</summary>
    public static readonly StreamCode SupplementalO2 = new("loinc:3150-0", "{flag}", StreamKind.Vital, 1, "Inhaled oxygen (supplemental O2 flag)");

    public static readonly StreamCode EcgLeadII = new("mdc:131330", "mV", StreamKind.Waveform, 250, "ECG lead II");

    public static readonly StreamCode Pleth = new("mdc:150452", "{ratio}", StreamKind.Waveform, 100, "Plethysmogram");

    public static readonly StreamCode BodyWeight = new("loinc:29463-7", "kg", StreamKind.Vital, 0, "Body weight");

    /// <summary>From a Bluetooth weight scale that reports it (0x2A9D).</summary>
    public static readonly StreamCode BodyMassIndex = new("loinc:39156-5", "kg/m2", StreamKind.Vital, 0, "Body mass index");

    /// <summary>From a Bluetooth weight scale that reports it (0x2A9D).</summary>
    public static readonly StreamCode BodyHeight = new("loinc:8302-2", "m", StreamKind.Vital, 0, "Body height");

    /// <summary>Glucose meter on a capillary (finger-stick) sample, mass concentration (Bluetooth 0x2A18 in kg/L, x 100000).</summary>
    public static readonly StreamCode GlucoseCapillaryMass = new("loinc:41653-7", "mg/dL", StreamKind.Vital, 0, "Glucose in capillary blood by glucometer (mass/volume)");

    /// <summary>Glucose meter on a capillary sample, substance concentration (Bluetooth 0x2A18 in mol/L, x 1000).</summary>
    public static readonly StreamCode GlucoseCapillaryMoles = new("loinc:14743-9", "mmol/L", StreamKind.Vital, 0, "Glucose in capillary blood by glucometer (moles/volume)");

    /// <summary>Glucose in a venous, arterial or unstated blood sample, mass concentration.</summary>
    public static readonly StreamCode GlucoseBloodMass = new("loinc:2339-0", "mg/dL", StreamKind.Vital, 0, "Glucose in blood (mass/volume)");

    /// <summary>Glucose in a venous, arterial or unstated blood sample, substance concentration.</summary>
    public static readonly StreamCode GlucoseBloodMoles = new("loinc:15074-8", "mmol/L", StreamKind.Vital, 0, "Glucose in blood (moles/volume)");

    /// <summary>HbA1c a glucose meter reports in a measurement's context (0x2A34).</summary>
    public static readonly StreamCode HbA1c = new("loinc:4548-4", "%", StreamKind.Vital, 0, "Hemoglobin A1c/Hemoglobin.total in blood");

    /// <summary>Every code above, in a stable order.</summary>
    public static IReadOnlyList<StreamCode> All { get; } =
    [
        HeartRate, RespiratoryRate, SpO2, BodyTemperature, SystolicBp, DiastolicBp, Consciousness, SupplementalO2,
        EcgLeadII, Pleth, BodyWeight,
        PulseRateOximetry, PulseRateNoninvasive, MeanBp,
        RespiratoryRateCo2, RespiratoryRateAirwayFlow, RespiratoryRateAcoustic, RespiratoryRatePleth,
        BodyMassIndex, BodyHeight,
        GlucoseCapillaryMass, GlucoseCapillaryMoles, GlucoseBloodMass, GlucoseBloodMoles, HbA1c,
    ];

    /// <summary>Looks a code up by its wire form (<c>loinc:8867-4</c>); false for an unknown code.</summary>
    public static bool TryFind(string code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StreamCode? stream)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Code, code, StringComparison.Ordinal))
            {
                stream = candidate;
                return true;
            }
        }

        stream = null;
        return false;
    }

    /// <summary>
    /// The same stream at another sampling rate (an ECG at 500 Hz, a replayed recording at 360 Hz):
    /// code, unit and kind stay, so records stay comparable.
    /// </summary>
    public static StreamCode AtRate(this StreamCode stream, double rateHz)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rateHz);
        return stream with { NominalRateHz = rateHz };
    }

    /// <summary>
    /// The same stream as given by a driver whose values are whole numbers of <paramref name="step"/>
    /// (<see cref="StreamCode.Resolution"/>): a plain decimal greater than 0 with at most 9 integer
    /// and 6 fraction digits (the quantum form of docs/protocol.md §4), written without trailing zeros.
    /// </summary>
    public static StreamCode AtResolution(this StreamCode stream, string step)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(step);
        return stream with { Resolution = step };
    }

    /// <summary>Whether <paramref name="step"/> is a quantum's form written without trailing zeros (<see cref="AtResolution"/>).</summary>
    public static bool IsResolution(string step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var dot = step.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? step : step[..dot];
        var fraction = dot < 0 ? string.Empty : step[(dot + 1)..];
        return whole.Length is >= 1 and <= 9 && (whole.Length == 1 || whole[0] != '0')
            && (dot < 0 || (fraction.Length is >= 1 and <= 6 && fraction[^1] != '0'))
            && whole.All(char.IsAsciiDigit) && fraction.All(char.IsAsciiDigit)
            && step.Any(c => c is >= '1' and <= '9');
    }
}
