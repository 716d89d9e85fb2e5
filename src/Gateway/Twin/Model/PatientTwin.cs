namespace EdgeTwin.Gateway.Twin.Model;

using System.Collections.Immutable;

/// <summary>What the twin holds of one patient (by pseudonym): latest vitals, scores and alarm states.</summary>
internal sealed record PatientTwin(
    string Patient,
    ImmutableArray<VitalReading> Vitals,
    ImmutableArray<ScoreReading> Scores,
    ImmutableArray<AlarmReading> Alarms);
