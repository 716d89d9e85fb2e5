namespace EdgeTwin.Drivers.Gpio.Hx711;

/// <param name="TareCounts">Reading with the platform empty (from calibration).</param>
/// <param name="CountsPerKilogram">Counts per kg (from calibration with a known mass).</param>
/// <param name="MinimumLoadKg">Below this nobody is on the scale and no weight is reported.</param>
internal sealed record Hx711ScaleSettings(
    int DataPin = 5,
    int ClockPin = 6,
    double TareCounts = 0,
    double CountsPerKilogram = 21_000,
    double MinimumLoadKg = 5);
