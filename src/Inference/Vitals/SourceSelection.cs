namespace EdgeTwin.Inference.Vitals;

/// <summary>
/// Which of several sources of one quantity to read (the pulse: ECG, oximeter, cuff; the
/// respiration rate: CO2 ... pleth), the one rule NEWS2, the threshold alarms and the model share:
/// the first source, in order of preference, that is <i>fresh</i> (latest sample valid and no older
/// than the freshness), else the first whose latest sample is valid within the maximum age, else none.
/// </summary>
internal static class SourceSelection
{
    /// <summary>
    /// The chosen code of <paramref name="codes"/>, or null. <paramref name="lastValidAt"/> gives,
    /// for a code, when its latest sample was taken if that sample is valid, and null otherwise.
    /// </summary>
    public static string? Best(IReadOnlyList<string> codes, Func<string, DateTimeOffset?> lastValidAt, DateTimeOffset now, TimeSpan freshness, TimeSpan maxAge)
    {
        foreach (var age in (TimeSpan[])[freshness < maxAge ? freshness : maxAge, maxAge])
        {
            foreach (var code in codes)
            {
                if (lastValidAt(code) is { } at && now - at <= age)
                {
                    return code;
                }
            }
        }

        return null;
    }

    /// <summary>The sources <paramref name="code"/> belongs to (<see cref="VitalStreams.PulseSources"/> or <see cref="VitalStreams.RespirationSources"/>), or null for a stream with one source.</summary>
    public static IReadOnlyList<string>? GroupOf(string code) =>
        VitalStreams.PulseSources.Contains(code, StringComparer.Ordinal) ? VitalStreams.PulseSources
        : VitalStreams.RespirationSources.Contains(code, StringComparer.Ordinal) ? VitalStreams.RespirationSources
        : null;
}
