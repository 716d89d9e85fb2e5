namespace EdgeTwin.Drivers.Configuration;

/// <summary>The <c>Annunciator</c> section: local lights and buzzer.</summary>
public sealed class AnnunciatorOptions
{
    /// <summary><c>log</c> (default: no lights, changes are logged) or <c>gpio</c>.</summary>
    public string Type { get; set; } = "log";

    public int RedPin { get; set; } = 17;

    public int YellowPin { get; set; } = 27;

    public int BuzzerPin { get; set; } = 22;

    /// <summary>The home alarm policy: <c>HH:mm-HH:mm</c> during which only a high-priority alarm sounds the buzzer (empty: none).</summary>
    public string? QuietHours { get; set; }

    /// <summary>The time zone of <see cref="QuietHours"/> (an IANA id; empty: the box's local zone).</summary>
    public string? TimeZone { get; set; }
}
