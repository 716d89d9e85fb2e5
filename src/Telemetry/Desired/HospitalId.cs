namespace EdgeTwin.Telemetry.Desired;

/// <summary>A hospital (patient) identifier as the box accepts it: in bindings, consent and desired patient settings.</summary>
public static class HospitalId
{
    private const int MaxIdentifierLength = 64;

    /// <summary>Null when <paramref name="hospitalId"/> is acceptable, otherwise why not.</summary>
    public static string? Check(string? hospitalId)
    {
        if (string.IsNullOrEmpty(hospitalId))
        {
            return "empty patient identifier";
        }

        if (hospitalId.Length > MaxIdentifierLength)
        {
            return $"patient identifier longer than {MaxIdentifierLength} characters";
        }

        foreach (var c in hospitalId)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return "patient identifier contains white space or control characters";
            }
        }

        return null;
    }
}
