namespace EdgeTwin.Drivers.Gpio.Annunciation;

/// <summary>BCM pin numbers of the outputs; all driven active-high (through a transistor for the buzzer).</summary>
public sealed record GpioAnnunciatorPins(int RedPin = 17, int YellowPin = 27, int BuzzerPin = 22);
