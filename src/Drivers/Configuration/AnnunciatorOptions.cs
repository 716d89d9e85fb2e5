namespace EdgeTwin.Drivers.Configuration;

/// <summary>The <c>Annunciator</c> section: local lights and buzzer.</summary>
public sealed class AnnunciatorOptions
{
    /// <summary><c>log</c> (default: no lights, changes are logged) or <c>gpio</c>.</summary>
    public string Type { get; set; } = "log";

    public int RedPin { get; set; } = 17;

    public int YellowPin { get; set; } = 27;

    public int BuzzerPin { get; set; } = 22;
}
