namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble.Gatt;

public class Ieee11073Tests
{
    private static byte[] Le32(uint raw) => BitConverter.GetBytes(raw);

    private static byte[] Le16(ushort raw) => BitConverter.GetBytes(raw);

    [Theory]
    [InlineData(0xFF00016Cu, 36.4)]      // 364 x 10^-1: the Health Thermometer spec's worked value
    [InlineData(0xFE000E42u, 36.5)]      // 3650 x 10^-2
    [InlineData(0x00000025u, 37.0)]      // exponent 0
    [InlineData(0x02000003u, 300.0)]     // positive exponent
    [InlineData(0xFFFFFFF6u, -1.0)]      // mantissa -10 (sign-extended 24 bits), exponent -1
    [InlineData(0x00000000u, 0.0)]
    public void Float_DecodesMantissaAndExponent(uint raw, double expected) =>
        Assert.Equal(expected, Ieee11073.Float(Le32(raw)));

    [Theory]
    [InlineData(0x007FFFFFu)]   // NaN
    [InlineData(0x00800000u)]   // NRes
    [InlineData(0x007FFFFEu)]   // +INF
    [InlineData(0x00800002u)]   // -INF
    [InlineData(0x00800001u)]   // reserved
    [InlineData(0xFF7FFFFFu)]   // NaN with a (meaningless) exponent is still NaN
    public void Float_SpecialValues_AreNotMeasurements(uint raw) => Assert.Null(Ieee11073.Float(Le32(raw)));

    [Theory]
    [InlineData((ushort)0x0062, 98.0)]   // SpO2 98 %
    [InlineData((ushort)0xF3D4, 98.0)]   // 980 x 10^-1
    [InlineData((ushort)0x0048, 72.0)]   // pulse 72
    [InlineData((ushort)0xF0FF, 25.5)]   // 255 x 10^-1
    [InlineData((ushort)0x0FFF, -1.0)]   // mantissa -1, exponent 0
    [InlineData((ushort)0x1002, 20.0)]   // 2 x 10^1
    public void SFloat_DecodesMantissaAndExponent(ushort raw, double expected) =>
        Assert.Equal(expected, Ieee11073.SFloat(Le16(raw)));

    [Theory]
    [InlineData((ushort)0x07FF)]   // NaN
    [InlineData((ushort)0x0800)]   // NRes
    [InlineData((ushort)0x07FE)]   // +INF
    [InlineData((ushort)0x0802)]   // -INF
    [InlineData((ushort)0x0801)]   // reserved
    public void SFloat_SpecialValues_AreNotMeasurements(ushort raw) => Assert.Null(Ieee11073.SFloat(Le16(raw)));
}
