namespace EdgeTwin.Drivers.Configuration;

/// <summary>The <c>Devices:n:Type</c> values the factory knows.</summary>
public static class DeviceTypes
{
    /// <summary>Plays the bundled MIT-BIH record 208 ECG excerpt at 360 Hz, with a QRS-derived heart rate.</summary>
    public const string EcgReplay = "ecg-replay";

    /// <summary>Maxim MAX30102 finger pulse oximeter on I2C (default address 0x57): pleth, SpO2, pulse rate.</summary>
    public const string Max30102 = "max30102";

    /// <summary>Melexis MLX90614 infrared thermometer on I2C (default address 0x5A): body temperature.</summary>
    public const string Mlx90614 = "mlx90614";

    /// <summary>AD8232 ECG front end read by a TI ADS1115 on I2C (default 0x48), lead-off on GPIO: ECG and heart rate.</summary>
    public const string Ads1115Ecg = "ads1115-ad8232";

    /// <summary>HX711 load-cell scale on two GPIO pins: body weight.</summary>
    public const string Hx711Scale = "hx711-scale";

    /// <summary>InvenSense MPU-6050 on I2C (default 0x68) for fall detection; falls go to <see cref="DriverFactory.Falls"/>.</summary>
    public const string Mpu6050Fall = "mpu6050-fall";

    /// <summary>A bedside monitor sending HL7 v2 ORU^R01 over MLLP/TCP to a port this box listens on (<c>Address</c> is an IP address here).</summary>
    public const string Hl7Mllp = "hl7-mllp";

    /// <summary>A Bluetooth LE health device (heart rate, thermometer, pulse oximeter) read through BlueZ over D-Bus; <c>Address</c> is its MAC.</summary>
    public const string BleGatt = "ble-gatt";

    public static IReadOnlyList<string> All { get; } = [EcgReplay, Max30102, Mlx90614, Ads1115Ecg, Hx711Scale, Mpu6050Fall, Hl7Mllp, BleGatt];
}
