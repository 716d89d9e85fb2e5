namespace EdgeTwin.Drivers.Ble;

using EdgeTwin.Drivers.Ble.Gatt;

/// <summary>The <c>Profile</c> values of a <c>ble-gatt</c> device and the characteristic each one reads.</summary>
internal static class BleProfiles
{
    public const string HeartRate = "heart-rate";
    public const string Thermometer = "thermometer";
    public const string Plx = "plx";
    public const string PlxSpotCheck = "plx-spot-check";
    public const string BloodPressure = "blood-pressure";
    public const string WeightScale = "weight-scale";
    public const string Glucose = "glucose";

    public static IReadOnlyList<string> Names { get; } = [HeartRate, Thermometer, Plx, PlxSpotCheck, BloodPressure, WeightScale, Glucose];

    /// <summary>
    /// The profiles whose service a device advertises (Assigned Numbers, GATT services): Heart Rate
    /// 0x180D, Health Thermometer 0x1809, Pulse Oximeter 0x1822 (continuous and spot-check), Blood
    /// Pressure 0x1810, Weight Scale 0x181D, Glucose 0x1808. Empty for anything else.
    /// </summary>
    public static IReadOnlyList<string> ForService(string uuid) => uuid.ToLowerInvariant() switch
    {
        "0000180d-0000-1000-8000-00805f9b34fb" => [HeartRate],
        "00001809-0000-1000-8000-00805f9b34fb" => [Thermometer],
        "00001822-0000-1000-8000-00805f9b34fb" => [Plx, PlxSpotCheck],
        "00001810-0000-1000-8000-00805f9b34fb" => [BloodPressure],
        "0000181d-0000-1000-8000-00805f9b34fb" => [WeightScale],
        "00001808-0000-1000-8000-00805f9b34fb" => [Glucose],
        _ => [],
    };

    public static IGattDecoder Decoder(string profile) => profile switch
    {
        HeartRate => new HeartRateMeasurementDecoder(),
        Thermometer => new TemperatureMeasurementDecoder(),
        Plx => new PlxContinuousMeasurementDecoder(),
        PlxSpotCheck => new PlxSpotCheckMeasurementDecoder(),
        BloodPressure => new BloodPressureMeasurementDecoder(),
        WeightScale => new WeightMeasurementDecoder(),
        Glucose => new GlucoseMeasurementDecoder(),
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, $"expected one of {string.Join(", ", Names)}"),
    };

    public static string Model(string profile) => profile switch
    {
        HeartRate => "Bluetooth LE heart rate sensor (0x2A37)",
        Thermometer => "Bluetooth LE health thermometer (0x2A1C)",
        PlxSpotCheck => "Bluetooth LE pulse oximeter, spot-check (0x2A5E)",
        BloodPressure => "Bluetooth LE blood pressure monitor (0x2A35)",
        WeightScale => "Bluetooth LE weight scale (0x2A9D)",
        Glucose => "Bluetooth LE glucose meter (0x2A18, stored records by 0x2A52)",
        _ => "Bluetooth LE pulse oximeter (0x2A5F)",
    };
}
