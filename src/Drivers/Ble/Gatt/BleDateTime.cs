namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Buffers.Binary;

/// <summary>
/// The Bluetooth Date Time characteristic format (0x2A08; inside 0x2A1C, 0x2A35, 0x2A5E, 0x2A9D, 0x2A18):
/// year uint16 (1582-9999, 0 = not known), month 1-12, day 1-31, hours, minutes, seconds; the device's
/// local time without a zone.
/// </summary>
internal static class BleDateTime
{
    public const int Size = 7;

    /// <summary>
    /// The measurement's optional time stamp at <paramref name="offset"/> (-1: the flags say there is
    /// none, and <paramref name="time"/> is null). Returns null, or why the stamp refuses the measurement.
    /// </summary>
    public static string? ReadOptional(ReadOnlySpan<byte> payload, int offset, out DateTime? time)
    {
        time = null;
        if (offset < 0)
        {
            return null;
        }

        time = Read(payload.Slice(offset, Size), out var problem);
        return problem;
    }

    /// <summary>The time, or null with the reason when the seven bytes are not a known, valid time.</summary>
    public static DateTime? Read(ReadOnlySpan<byte> seven, out string? problem)
    {
        var year = BinaryPrimitives.ReadUInt16LittleEndian(seven);
        int month = seven[2], day = seven[3], hour = seven[4], minute = seven[5], second = seven[6];
        problem = null;
        if (year == 0 || month == 0 || day == 0)
        {
            problem = "device time stamp not known (year, month or day 0)";
            return null;
        }

        if (year < 1582 || month > 12 || hour > 23 || minute > 59 || second > 59 || day > DateTime.DaysInMonth(year, month))
        {
            problem = $"device time stamp {year:D4}-{month:D2}-{day:D2} {hour:D2}:{minute:D2}:{second:D2} is not a valid time";
            return null;
        }

        return new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
    }
}
