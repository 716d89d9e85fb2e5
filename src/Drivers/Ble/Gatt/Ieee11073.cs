namespace EdgeTwin.Drivers.Ble.Gatt;

using System.Buffers.Binary;

/// <summary>
/// The IEEE 11073-20601 medical number formats that Bluetooth SIG health profiles use: 32-bit FLOAT
/// (signed 8-bit exponent, signed 24-bit mantissa) and 16-bit SFLOAT (signed 4-bit exponent, signed
/// 12-bit mantissa), value = mantissa * 10^exponent, little-endian. NaN, NRes (not at this
/// resolution), +INF, -INF and the reserved mantissa are not measurements: they decode to null.
/// </summary>
internal static class Ieee11073
{
    public static double? Float(ReadOnlySpan<byte> four)
    {
        var raw = BinaryPrimitives.ReadUInt32LittleEndian(four);
        var mantissaBits = raw & 0x00FF_FFFF;
        if (mantissaBits is 0x7F_FFFF or 0x80_0000 or 0x7F_FFFE or 0x80_0002 or 0x80_0001)
        {
            return null;
        }

        var mantissa = (int)(mantissaBits << 8) >> 8;
        var exponent = (sbyte)(raw >> 24);
        return Scale(mantissa, exponent);
    }

    public static double? SFloat(ReadOnlySpan<byte> two)
    {
        var raw = BinaryPrimitives.ReadUInt16LittleEndian(two);
        var mantissaBits = raw & 0x0FFF;
        if (mantissaBits is 0x07FF or 0x0800 or 0x07FE or 0x0802 or 0x0801)
        {
            return null;
        }

        var mantissa = (mantissaBits << 20) >> 20;
        var exponent = (short)raw >> 12;
        return Scale(mantissa, exponent);
    }

    /// <summary>The SFLOAT special value these two bytes hold (NaN, NRes, +INFINITY, -INFINITY, reserved), or null for a number.</summary>
    public static string? SFloatSpecial(ReadOnlySpan<byte> two) => (BinaryPrimitives.ReadUInt16LittleEndian(two) & 0x0FFF) switch
    {
        0x07FF => "NaN",
        0x0800 => "NRes (not at this resolution)",
        0x07FE => "+INFINITY",
        0x0802 => "-INFINITY",
        0x0801 => "reserved",
        _ => null,
    };

    /// <summary>The FLOAT special value these four bytes hold, or null for a number.</summary>
    public static string? FloatSpecial(ReadOnlySpan<byte> four) => (BinaryPrimitives.ReadUInt32LittleEndian(four) & 0x00FF_FFFF) switch
    {
        0x7F_FFFF => "NaN",
        0x80_0000 => "NRes (not at this resolution)",
        0x7F_FFFE => "+INFINITY",
        0x80_0002 => "-INFINITY",
        0x80_0001 => "reserved",
        _ => null,
    };

    // Rounded to the mantissa's own precision so 0xFF00016C decodes to 36.4 and not 36.400000000000006.
    private static double Scale(int mantissa, int exponent) =>
        exponent < 0 ? Math.Round(mantissa / Math.Pow(10, -exponent), Math.Min(-exponent, 15)) : mantissa * Math.Pow(10, exponent);
}
