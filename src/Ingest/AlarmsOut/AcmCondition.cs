namespace EdgeTwin.Ingest.AlarmsOut;

/// <summary>
/// How one box alarm condition is described to an alarm manager: the alarm type (an MDC event
/// code, OBX-5 of facet 1), the metric it is about (facet 2, with its unit) where the ingest knows
/// it, the abnormality flag of OBX-8 (<c>L</c>, <c>H</c>; null: none) and whether it is technical
/// (<c>ST</c>) or physiological (<c>SP</c>).
/// </summary>
internal sealed record AcmCondition(AcmTerm Event, AcmTerm? Metric, AcmTerm? Unit, string? Abnormality, bool Technical);
