namespace EdgeTwin.Drivers.Ble;

using EdgeTwin.Drivers.Ble.Gatt;

/// <summary>The <c>Profile</c> values of a <c>ble-gatt</c> device and the characteristic each one reads.</summary>
internal static class BleProfiles
{
    public const string HeartRate = "heart-rate";
    public const string Thermometer = "thermometer";
    public const string Plx = "plx";

    public static IReadOnlyList<string> Names { get; } = [HeartRate, Thermometer, Plx];

    public static IGattDecoder Decoder(string profile) => profile switch
    {
        HeartRate => new HeartRateMeasurementDecoder(),
        Thermometer => new TemperatureMeasurementDecoder(),
        Plx => new PlxContinuousMeasurementDecoder(),
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, $"expected one of {string.Join(", ", Names)}"),
    };

    public static string Model(string profile) => profile switch
    {
        HeartRate => "Bluetooth LE heart rate sensor (0x2A37)",
        Thermometer => "Bluetooth LE health thermometer (0x2A1C)",
        _ => "Bluetooth LE pulse oximeter (0x2A5F)",
    };
}
