namespace EdgeTwin.Drivers.Gpio.Annunciation;

/// <summary>Alarm priority as the bedside box shows it (IEC 60601-1-8 priorities).</summary>
public enum AnnunciationLevel
{
    /// <summary>Everything off.</summary>
    None,

    /// <summary>Yellow light steady, no sound.</summary>
    Low,

    /// <summary>Yellow light flashing slowly (0.5 Hz), a 3-pulse burst every 10 s.</summary>
    Medium,

    /// <summary>Red light flashing fast (2 Hz), a 10-pulse burst every 5 s.</summary>
    High,
}
