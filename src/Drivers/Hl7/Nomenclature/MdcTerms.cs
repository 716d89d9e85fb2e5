namespace EdgeTwin.Drivers.Hl7.Nomenclature;

using System.Collections.Frozen;
using static EdgeTwin.Drivers.Hl7.Nomenclature.MdcPartition;

/// <summary>
/// The ISO/IEEE 11073-10101 terms of the vital signs NEWS2 and the alarms use, in each form
/// monitors send them, written as the standard's table has them (partition, term code, reference
/// id), never as bare context-free numbers. Where each row was checked: README.md in this folder.
/// </summary>
internal static class MdcTerms
{
    private const string InvasivePressure = "invasive (arterial line) pressure: no stream, it would give a second systolic beside the cuff's";

    public static IReadOnlyList<MdcTerm> All { get; } =
    [
        // Heart and pulse rate: one stream per source (ECG, pulse oximeter, cuff).
        new(Scada, 16770, "MDC_ECG_HEART_RATE", Hl7Streams.HeartRate),
        new(Scada, 18458, "MDC_PULS_OXIM_PULS_RATE", Hl7Streams.PulseRateOximetry),
        new(Scada, 18474, "MDC_PULS_RATE_NON_INV", Hl7Streams.PulseRateNoninvasive),
        new(Scada, 18442, "MDC_PULS_RATE", null, "pulse rate with no method: it cannot be told apart from the ECG, oximeter or cuff rate"),
        new(Scada, 18450, "MDC_BLD_PULS_RATE_INV", null, "invasive (arterial line) pulse rate: no stream"),

        // Oxygen saturation.
        new(Scada, 19384, "MDC_PULS_OXIM_SAT_O2", Hl7Streams.SpO2),

        // Respiration rate, by method.
        new(Scada, 20490, "MDC_RESP_RATE", Hl7Streams.RespiratoryRate),
        new(Scada, 20506, "MDC_TTHOR_RESP_RATE", Hl7Streams.RespiratoryRate),
        new(Scada, 20522, "MDC_CO2_RESP_RATE", Hl7Streams.RespiratoryRateCo2),
        new(Scada, 20498, "MDC_AWAY_RESP_RATE", Hl7Streams.RespiratoryRateAirwayFlow),
        new(Scada, 20578, "MDC_ACOUSTIC_RESP_RATE", Hl7Streams.RespiratoryRateAcoustic),
        new(Scada, 20586, "MDC_PULS_OXIM_PLETH_RESP_RATE", Hl7Streams.RespiratoryRatePleth),
        new(Scada, 20514, "MDC_VENT_RESP_RATE", null, "the ventilator's rate, not the patient's own breathing"),

        // Non-invasive blood pressure: the cuff form monitors send, and the generic NIBP form.
        new(Scada, 19229, "MDC_PRESS_CUFF_SYS", Hl7Streams.Systolic),
        new(Scada, 19230, "MDC_PRESS_CUFF_DIA", Hl7Streams.Diastolic),
        new(Scada, 19231, "MDC_PRESS_CUFF_MEAN", Hl7Streams.Mean),
        new(Scada, 18949, "MDC_PRESS_BLD_NONINV_SYS", Hl7Streams.Systolic),
        new(Scada, 18950, "MDC_PRESS_BLD_NONINV_DIA", Hl7Streams.Diastolic),
        new(Scada, 18951, "MDC_PRESS_BLD_NONINV_MEAN", Hl7Streams.Mean),
        new(Scada, 18961, "MDC_PRESS_BLD_ART_SYS", null, InvasivePressure),
        new(Scada, 18962, "MDC_PRESS_BLD_ART_DIA", null, InvasivePressure),
        new(Scada, 18963, "MDC_PRESS_BLD_ART_MEAN", null, InvasivePressure),

        // Temperature: unspecified, body, core, and the sites a spot-check thermometer measures.
        new(Scada, 19272, "MDC_TEMP", Hl7Streams.Temperature),
        new(Scada, 19292, "MDC_TEMP_BODY", Hl7Streams.Temperature),
        new(Scada, 19296, "MDC_TEMP_CORE", Hl7Streams.Temperature),
        new(Scada, 19320, "MDC_TEMP_TYMP", Hl7Streams.Temperature),
        new(Scada, 57348, "MDC_TEMP_RECT", Hl7Streams.Temperature),
        new(Scada, 57352, "MDC_TEMP_ORAL", Hl7Streams.Temperature),
        new(Scada, 57356, "MDC_TEMP_EAR", Hl7Streams.Temperature),
        new(Scada, 57380, "MDC_TEMP_AXILLA", Hl7Streams.Temperature),
        new(Scada, 19316, "MDC_TEMP_SKIN", null, "skin temperature is not body temperature"),
    ];

    private static readonly FrozenDictionary<int, MdcTerm> ByCodeIndex = All.ToFrozenDictionary(t => t.Code);
    private static readonly FrozenDictionary<string, MdcTerm> ByReferenceIdIndex = All.ToFrozenDictionary(t => t.ReferenceId, StringComparer.Ordinal);

    public static MdcTerm? ByCode(int code) => ByCodeIndex.GetValueOrDefault(code);

    public static MdcTerm? ByReferenceId(string referenceId) => ByReferenceIdIndex.GetValueOrDefault(referenceId);
}
