namespace EdgeTwin.Drivers.Hl7.Nomenclature;

/// <summary>What a per-minute rate counts: its unit must not name the other (MDC_DIM_BEAT_PER_MIN is not a respiration rate).</summary>
internal enum RateOf
{
    Nothing,
    Beats,
    Breaths,
}
