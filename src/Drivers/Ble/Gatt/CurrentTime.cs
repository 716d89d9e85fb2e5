namespace EdgeTwin.Drivers.Ble.Gatt;

/// <summary>
/// Current Time (0x2A2B, Current Time Service 1.1 §3.1): Exact Time 256 (a Date Time: year uint16,
/// month, day, hours, minutes, seconds; day of week 1 = Monday .. 7 = Sunday; fractions of a second
/// in 1/256) and Adjust Reason (bit 1: external reference time update, the box's clock). Written in
/// the box's time zone: a device's clock is a local wall clock.
/// </summary>
internal static class CurrentTime
{
    public const byte ExternalReferenceUpdate = 0x02;

    public static string Uuid { get; } = BluetoothUuid.From16(0x2A2B);

    /// <summary>The device's clock from a Current Time value (its Exact Time 256, fractions included), or null with the reason it is not a time.</summary>
    public static DateTime? Read(ReadOnlySpan<byte> value, out string? problem)
    {
        if (value.Length < 10)
        {
            problem = $"current time of {value.Length} bytes; 10 expected";
            return null;
        }

        return BleDateTime.Read(value[..BleDateTime.Size], out problem)?.AddSeconds(value[8] / 256.0); // Fractions256
    }

    public static byte[] Encode(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var dayOfWeek = local.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)local.DayOfWeek;
        return
        [
            (byte)local.Year, (byte)(local.Year >> 8), (byte)local.Month, (byte)local.Day, (byte)local.Hour, (byte)local.Minute, (byte)local.Second,
            (byte)dayOfWeek, (byte)(local.Millisecond * 256 / 1000), ExternalReferenceUpdate,
        ];
    }
}
