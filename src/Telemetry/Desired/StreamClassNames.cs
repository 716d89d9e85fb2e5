namespace EdgeTwin.Telemetry.Desired;

/// <summary>The wire names of the <see cref="StreamClass"/> values (desired <c>consent</c>, the reported twin).</summary>
public static class StreamClassNames
{
    public static IReadOnlyList<StreamClass> All { get; } = Enum.GetValues<StreamClass>();

    public static string Name(StreamClass value) => value switch
    {
        StreamClass.Vitals => "vitals",
        StreamClass.Waveforms => "waveforms",
        StreamClass.Location => "location",
        StreamClass.Alarms => "alarms",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    public static bool TryParse(string name, out StreamClass value)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
