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
