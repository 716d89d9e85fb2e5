namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble.Gatt;
using EdgeTwin.Drivers.Model;

public class PlxContinuousMeasurementDecoderTests
{
    // SpO2 98 % and pulse 72 /min as SFLOATs with exponent 0.
    private static readonly byte[] Normal = [0x62, 0x00, 0x48, 0x00];

    private static (string? Problem, List<GattReading> Readings) Decode(params byte[] payload)
    {
        var readings = new List<GattReading>();
        var problem = new PlxContinuousMeasurementDecoder().Decode(payload, readings);
        return (problem, readings);
    }

    private static void AssertValues(List<GattReading> readings, double? spo2, double? pulse)
    {
        Assert.Equal([StreamCodes.SpO2.Code, StreamCodes.PulseRateOximetry.Code], readings.Select(r => r.Stream.Code));
        Assert.Equal(spo2, readings[0].Value);
        Assert.Equal(pulse, readings[1].Value);
    }

    [Theory]
    [InlineData((byte)0x00, new byte[] { })]
    [InlineData((byte)0x01, new byte[] { 0x5F, 0x00, 0x4A, 0x00 })]                       // fast pair (ignored)
    [InlineData((byte)0x02, new byte[] { 0x61, 0x00, 0x47, 0x00 })]                       // slow pair (ignored)
    [InlineData((byte)0x04, new byte[] { 0x80, 0x01 })]                                   // status: validated + fully qualified
    [InlineData((byte)0x08, new byte[] { 0x20, 0x00, 0x00 })]                             // device status: low perfusion only
    [InlineData((byte)0x10, new byte[] { 0x2C, 0xF0 })]                                   // pulse amplitude index 4.4
    [InlineData((byte)0x1F, new byte[] { 0x5F, 0x00, 0x4A, 0x00, 0x61, 0x00, 0x47, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00, 0x2C, 0xF0 })]
    [InlineData((byte)0xE0, new byte[] { })]                                              // reserved bits ignored
    public void ReportsTheNormalPair(byte flags, byte[] tail)
    {
        var (problem, readings) = Decode([flags, .. Normal, .. tail]);

        Assert.Null(problem);
        AssertValues(readings, 98, 72);
    }

    [Fact]
    public void SFloatSpecialValues_GiveInvalidSamples()
    {
        var (problem, readings) = Decode(0x00, 0xFF, 0x07, 0x48, 0x00); // SpO2 NaN, pulse 72

        Assert.Null(problem);
        AssertValues(readings, null, 72);
    }

    [Theory]
    [InlineData((byte)0x04, new byte[] { 0x00, 0x20 })]          // measurement unavailable (bit 13)
    [InlineData((byte)0x04, new byte[] { 0x00, 0x80 })]          // invalid measurement (bit 15)
    [InlineData((byte)0x08, new byte[] { 0x02, 0x00, 0x00 })]    // equipment malfunction (bit 1)
    [InlineData((byte)0x08, new byte[] { 0x00, 0x08, 0x00 })]    // sensor unconnected to user (bit 11)
    [InlineData((byte)0x08, new byte[] { 0x00, 0x80, 0x00 })]    // sensor disconnected (bit 15)
    [InlineData((byte)0x0C, new byte[] { 0x00, 0x00, 0x00, 0x40, 0x00 })] // both present: sensor malfunctioning (bit 14)
    public void StatusSayingInvalid_GivesInvalidSamples(byte flags, byte[] tail)
    {
        var (problem, readings) = Decode([flags, .. Normal, .. tail]);

        Assert.Null(problem);
        AssertValues(readings, null, null);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x00, 0x62, 0x00, 0x48 })]                    // pulse cut short
    [InlineData(new byte[] { 0x01, 0x62, 0x00, 0x48, 0x00, 0x5F, 0x00 })]  // fast pair flagged, half there
    [InlineData(new byte[] { 0x04, 0x62, 0x00, 0x48, 0x00, 0x80 })]        // status flagged, one byte
    [InlineData(new byte[] { 0x08, 0x62, 0x00, 0x48, 0x00, 0x00, 0x00 })]  // device status flagged, two of three bytes
    [InlineData(new byte[] { 0x10, 0x62, 0x00, 0x48, 0x00 })]              // amplitude index flagged, missing
    public void Malformed_IsReportedAndAddsNothing(byte[] payload)
    {
        var (problem, readings) = Decode(payload);

        Assert.NotNull(problem);
        Assert.Empty(readings);
    }
}
