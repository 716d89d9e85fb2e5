namespace EdgeTwin.Telemetry.Desired;

/// <summary>Names the twin accepts for beds (the same alphabet as gateway names, PROTOCOL §1, plus upper case and dots).</summary>
public static class TwinNames
{
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 &&
        name.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") is false;
}
