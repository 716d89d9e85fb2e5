namespace EdgeTwin.Drivers.Gpio.NurseCall;

/// <summary>A debounced press of the bedside nurse-call button.</summary>
public sealed class NurseCallPressedEventArgs(string buttonId, DateTimeOffset pressedAt) : EventArgs
{
    public string ButtonId { get; } = buttonId;

    public DateTimeOffset PressedAt { get; } = pressedAt;
}
