namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble.Gatt;
using EdgeTwin.Drivers.Model;

public class HeartRateMeasurementDecoderTests
{
    private static (string? Problem, List<GattReading> Readings) Decode(params byte[] payload)
    {
        var readings = new List<GattReading>();
        var problem = new HeartRateMeasurementDecoder().Decode(payload, readings);
        return (problem, readings);
    }

    [Fact]
    public void Uuid_IsTheSigAssignedNumberOnTheBaseUuid() =>
        Assert.Equal("00002a37-0000-1000-8000-00805f9b34fb", new HeartRateMeasurementDecoder().CharacteristicUuid);

    [Theory]
    [InlineData(new byte[] { 0x00, 72 }, 72.0)]                                   // uint8, contact not supported
    [InlineData(new byte[] { 0x01, 0x2C, 0x01 }, 300.0)]                          // uint16 little-endian (300)
    [InlineData(new byte[] { 0x01, 0x48, 0x00 }, 72.0)]                           // uint16 carrying a small value
    [InlineData(new byte[] { 0x02, 60 }, 60.0)]                                   // bit 1 without bit 2: contact not supported, value valid
    [InlineData(new byte[] { 0x06, 64 }, 64.0)]                                   // contact supported and detected
    [InlineData(new byte[] { 0x08, 80, 0x10, 0x27 }, 80.0)]                       // energy expended 10000 kJ
    [InlineData(new byte[] { 0x10, 75, 0x00, 0x04 }, 75.0)]                       // one RR interval (1024/1024 s)
    [InlineData(new byte[] { 0x10, 75, 0x00, 0x04, 0x33, 0x03 }, 75.0)]           // two RR intervals
    [InlineData(new byte[] { 0x1F, 0x5A, 0x00, 0x01, 0x00, 0x55, 0x02 }, 90.0)]   // every flag: uint16, contact ok, energy, RR
    [InlineData(new byte[] { 0xE0, 70 }, 70.0)]                                   // reserved bits 5-7 ignored (Core spec: RFU ignored on receipt)
    public void ValidMeasurements(byte[] payload, double bpm)
    {
        var (problem, readings) = Decode(payload);

        Assert.Null(problem);
        var reading = Assert.Single(readings);
        Assert.Equal(StreamCodes.HeartRate.Code, reading.Stream.Code);
        Assert.Equal(bpm, reading.Value);
    }

    [Theory]
    [InlineData(new byte[] { 0x04, 72 })]                          // contact supported, not detected
    [InlineData(new byte[] { 0x05, 72, 0x00 })]                    // same with uint16
    [InlineData(new byte[] { 0x1C, 72, 0x10, 0x00, 0x00, 0x04 })]  // same with energy and RR
    public void SensorContactNotDetected_GivesAnInvalidSample(byte[] payload)
    {
        var (problem, readings) = Decode(payload);

        Assert.Null(problem);
        Assert.Null(Assert.Single(readings).Value);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x00 })]                    // flags only
    [InlineData(new byte[] { 0x01, 0x48 })]              // uint16 flagged, one byte
    [InlineData(new byte[] { 0x08, 72, 0x10 })]          // energy flagged, one byte of it
    [InlineData(new byte[] { 0x10, 72 })]                // RR flagged, none there
    [InlineData(new byte[] { 0x10, 72, 0x00, 0x04, 0x01 })] // RR: an odd trailing byte
    public void Malformed_IsReportedAndAddsNothing(byte[] payload)
    {
        var (problem, readings) = Decode(payload);

        Assert.NotNull(problem);
        Assert.Empty(readings);
    }
}
