namespace EdgeTwin.Drivers.Hl7.Nomenclature;

/// <summary>
/// The units OBX-6 may carry for our streams: the MDC_DIM codes of ISO/IEEE 11073-10101 (term codes
/// as the standard's table has them, checked as README.md says), their UCUM codes, and the plain
/// spellings of older v2.3 feeds. Only unambiguous conversions (°F, kPa, lb); anything else is refused.
/// </summary>
internal static class Hl7Units
{
    private const double MillimetresOfMercuryPerKilopascal = 7.500617;
    private const double KilogramsPerPound = 0.45359237;

    private static double Same(double value) => value;

    public static IReadOnlyList<Hl7Unit> All { get; } =
    [
        new("/min", RateOf.Beats, 2720, "MDC_DIM_BEAT_PER_MIN", ["{beats}/min", "{beat}/min", "bpm", "beats/min"], Same),
        new("/min", RateOf.Breaths, 2784, "MDC_DIM_RESP_PER_MIN", ["{breaths}/min", "{breath}/min", "br/min", "breaths/min", "rpm"], Same),
        new("/min", RateOf.Nothing, 2528, "MDC_DIM_PER_MIN", ["/min", "1/min"], Same),
        new("%", RateOf.Nothing, 544, "MDC_DIM_PERCENT", ["%"], Same),
        new("Cel", RateOf.Nothing, 6048, "MDC_DIM_DEGC", ["Cel", "degC", "\u00b0C", "C"], Same),
        new("Cel", RateOf.Nothing, 4416, "MDC_DIM_FAHR", ["[degF]", "degF", "\u00b0F", "F"], v => (v - 32) * 5 / 9),
        new("mm[Hg]", RateOf.Nothing, 3872, "MDC_DIM_MMHG", ["mm[Hg]", "mmHg"], Same),
        new("mm[Hg]", RateOf.Nothing, 3843, "MDC_DIM_KILO_PASCAL", ["kPa"], v => v * MillimetresOfMercuryPerKilopascal),
        new("kg", RateOf.Nothing, 1731, "MDC_DIM_KILO_G", ["kg"], Same),
        new("kg", RateOf.Nothing, null, null, ["[lb_av]", "lb", "lbs"], v => v * KilogramsPerPound),
        new("{score}", RateOf.Nothing, null, null, ["{score}"], Same),
        new("{flag}", RateOf.Nothing, null, null, ["{flag}"], Same),
    ];

    public static Hl7Unit? ByMdcCode(int code) => All.FirstOrDefault(u => u.MdcCode == code);

    public static Hl7Unit? ByReferenceId(string referenceId) => All.FirstOrDefault(u => u.ReferenceId == referenceId);

    /// <summary>A UCUM code or plain spelling; letters in any case (monitors write BPM, mmHG).</summary>
    public static Hl7Unit? BySpelling(string spelling) =>
        All.FirstOrDefault(u => u.Spellings.Contains(spelling, StringComparer.OrdinalIgnoreCase));
}
