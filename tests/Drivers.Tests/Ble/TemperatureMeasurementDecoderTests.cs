namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble.Gatt;
using EdgeTwin.Drivers.Model;

public class TemperatureMeasurementDecoderTests
{
    private static readonly byte[] TimeStamp = [0xEA, 0x07, 11, 27, 23, 30, 5]; // 2026-11-27 23:30:05

    private static (string? Problem, List<GattReading> Readings) Decode(params byte[] payload)
    {
        var readings = new List<GattReading>();
        var problem = new TemperatureMeasurementDecoder().Decode(payload, readings);
        return (problem, readings);
    }

    private static byte[] Payload(byte flags, uint value, params byte[] tail) => [flags, .. BitConverter.GetBytes(value), .. tail];

    [Fact]
    public void Uuid_IsTheSigAssignedNumberOnTheBaseUuid() =>
        Assert.Equal("00002a1c-0000-1000-8000-00805f9b34fb", new TemperatureMeasurementDecoder().CharacteristicUuid);

    [Fact]
    public void Celsius_NoOptionalFields()
    {
        var (problem, readings) = Decode(Payload(0x00, 0xFF00016C));

        Assert.Null(problem);
        var reading = Assert.Single(readings);
        Assert.Equal(StreamCodes.BodyTemperature.Code, reading.Stream.Code);
        Assert.Equal(36.4, reading.Value);
    }

    [Theory]
    [InlineData((byte)0x01, 0xFF0003DAu, 37.0)]             // 98.6 F
    [InlineData((byte)0x01, 0x00000020u, 0.0)]              // 32 F
    [InlineData((byte)0x01, 0xFF0003E8u, 37.777778)]        // 100.0 F
    public void Fahrenheit_IsConvertedToCelsius(byte flags, uint raw, double celsius)
    {
        var (problem, readings) = Decode(Payload(flags, raw));

        Assert.Null(problem);
        Assert.Equal(celsius, Assert.Single(readings).Value!.Value, 6);
    }

    [Theory]
    [InlineData((byte)0x02, 7)]    // time stamp
    [InlineData((byte)0x04, 1)]    // temperature type (2 = body)
    [InlineData((byte)0x06, 8)]    // both
    [InlineData((byte)0x07, 8)]    // both, Fahrenheit
    [InlineData((byte)0xF8, 0)]    // reserved bits 3-7 ignored
    public void OptionalFields_AreSkipped(byte flags, int tailLength)
    {
        var tail = (flags & 0x02) != 0 ? [.. TimeStamp, .. new byte[] { 2 }[..(tailLength - 7)]] : new byte[] { 2 }[..tailLength];
        var raw = (flags & 0x01) != 0 ? 0xFF0003DAu : 0xFF000172u; // 98.6 F / 37.0 C

        var (problem, readings) = Decode(Payload(flags, raw, tail));

        Assert.Null(problem);
        Assert.Equal(37.0, Assert.Single(readings).Value!.Value, 6);
    }

    [Theory]
    [InlineData((byte)0x00, 0x007FFFFFu)]   // NaN
    [InlineData((byte)0x00, 0x00800000u)]   // NRes
    [InlineData((byte)0x00, 0x007FFFFEu)]   // +INF
    [InlineData((byte)0x01, 0x00800002u)]   // -INF, Fahrenheit: still null, not converted
    [InlineData((byte)0x06, 0x00800001u)]   // reserved, with the optional fields present
    public void SpecialValues_GiveAnInvalidSample(byte flags, uint raw)
    {
        var tail = (flags & 0x02) != 0 ? [.. TimeStamp, 2] : new byte[] { };
        var (problem, readings) = Decode(Payload(flags, raw, tail));

        Assert.Null(problem);
        Assert.Null(Assert.Single(readings).Value);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x00, 0x6C, 0x01, 0x00 })]                          // FLOAT cut short
    [InlineData(new byte[] { 0x02, 0x6C, 0x01, 0x00, 0xFF, 0xEA, 0x07, 11 })]    // time stamp flagged, 3 of 7 bytes
    [InlineData(new byte[] { 0x04, 0x6C, 0x01, 0x00, 0xFF })]                    // type flagged, missing
    public void Malformed_IsReportedAndAddsNothing(byte[] payload)
    {
        var (problem, readings) = Decode(payload);

        Assert.NotNull(problem);
        Assert.Empty(readings);
    }
}
