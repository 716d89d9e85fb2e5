namespace EdgeTwin.Drivers.Configuration;

/// <summary>The <c>Devices:n:Type</c> values the factory knows.</summary>
public static class DeviceTypes
{
    /// <summary>Plays the bundled MIT-BIH record 208 ECG excerpt at 360 Hz, with a QRS-derived heart rate.</summary>
    public const string EcgReplay = "ecg-replay";

    public static IReadOnlyList<string> All { get; } = [EcgReplay];
}
