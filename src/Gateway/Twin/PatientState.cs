namespace EdgeTwin.Gateway.Twin;

using EdgeTwin.Gateway.Twin.Model;

/// <summary>The mutable latest observations of one patient; guarded by the <see cref="ShadowTwin"/> lock.</summary>
internal sealed class PatientState(string patient)
{
    public Dictionary<string, VitalReading> Vitals { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ScoreReading> Scores { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, AlarmReading> Alarms { get; } = new(StringComparer.Ordinal);

    public static PatientState From(PatientTwin twin)
    {
        var state = new PatientState(twin.Patient);
        foreach (var vital in twin.Vitals)
        {
            state.Vitals[vital.Code] = vital;
        }

        foreach (var score in twin.Scores)
        {
            state.Scores[score.Name] = score;
        }

        foreach (var alarm in twin.Alarms)
        {
            state.Alarms[alarm.Condition] = alarm;
        }

        return state;
    }

    public PatientTwin ToTwin() => new(
        patient,
        [.. Vitals.Values.OrderBy(v => v.Code, StringComparer.Ordinal)],
        [.. Scores.Values.OrderBy(s => s.Name, StringComparer.Ordinal)],
        [.. Alarms.Values.OrderBy(a => a.Condition, StringComparer.Ordinal)]);
}
