namespace EdgeTwin.Drivers.Gpio.Annunciation;

/// <summary>What the red light, yellow light and buzzer should be doing at one instant.</summary>
internal readonly record struct AnnunciatorOutputs(bool Red, bool Yellow, bool Buzzer)
{
    public static AnnunciatorOutputs Off { get; } = new(false, false, false);
}
