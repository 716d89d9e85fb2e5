namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble.Gatt;
using EdgeTwin.Drivers.Model;

/// <summary>
/// The home-care characteristics (issue 19): blood pressure 0x2A35, weight 0x2A9D, PLX spot-check
/// 0x2A5E. Payloads are built here byte by byte from the specifications' field tables; every flag
/// combination is decoded, and special values and unsuccessful measurements are refused with their reason.
/// </summary>
public class HomeCareDecoderTests
{
    private static readonly byte[] Stamp = [0xEA, 0x07, 12, 5, 3, 10, 0]; // 2026-12-05 03:10:00
    private static readonly DateTime StampTime = new(2026, 12, 5, 3, 10, 0, DateTimeKind.Unspecified);

    private static (string? Problem, List<GattReading> Readings) Decode(IGattDecoder decoder, byte[] payload)
    {
        var readings = new List<GattReading>();
        return (decoder.Decode(payload, readings), readings);
    }

    [Theory]
    [InlineData(0x2A35, typeof(BloodPressureMeasurementDecoder))]
    [InlineData(0x2A9D, typeof(WeightMeasurementDecoder))]
    [InlineData(0x2A5E, typeof(PlxSpotCheckMeasurementDecoder))]
    public void Uuid_IsTheSigAssignedNumber(int assigned, Type decoder) =>
        Assert.Equal($"0000{assigned:x4}-0000-1000-8000-00805f9b34fb", ((IGattDecoder)Activator.CreateInstance(decoder)!).CharacteristicUuid);

    public static TheoryData<byte> AllBloodPressureFlags() => [.. Enumerable.Range(0, 32).Select(f => (byte)f).Append((byte)0xE0)];

    [Theory]
    [MemberData(nameof(AllBloodPressureFlags))]
    public void BloodPressure_EveryFlagCombination_DecodesSystolicDiastolicMapAndThePulseWhenPresent(byte flags)
    {
        var kpa = (flags & 0x01) != 0;
        // 120/80 mmHg, MAP 93 (or 16.0/10.7/12.4 kPa), pulse 72, user 1, status 0x0004 (irregular pulse: values stand).
        byte[] pressures = kpa ? [0xA0, 0xF0, 0x6B, 0xF0, 0x7C, 0xF0] : [0x78, 0x00, 0x50, 0x00, 0x5D, 0x00];
        byte[] payload = [flags, .. pressures, .. (flags & 0x02) != 0 ? Stamp : [], .. (flags & 0x04) != 0 ? new byte[] { 0x48, 0x00 } : [],
            .. (flags & 0x08) != 0 ? new byte[] { 1 } : [], .. (flags & 0x10) != 0 ? new byte[] { 0x04, 0x00 } : []];

        var (problem, readings) = Decode(new BloodPressureMeasurementDecoder(), payload);

        Assert.Null(problem);
        var expected = kpa ? new[] { 120.0, 80.3, 93.0 } : [120.0, 80.0, 93.0];
        Assert.Equal([StreamCodes.SystolicBp, StreamCodes.DiastolicBp, StreamCodes.MeanBp, .. (flags & 0x04) != 0 ? new[] { StreamCodes.PulseRateNoninvasive } : []], readings.Select(r => r.Stream));
        Assert.Equal([.. expected, .. (flags & 0x04) != 0 ? new[] { 72.0 } : []], readings.Select(r => r.Value!.Value));
        Assert.All(readings, r => Assert.Equal((flags & 0x02) != 0 ? StampTime : null, r.DeviceTime));
        Assert.NotNull(Decode(new BloodPressureMeasurementDecoder(), payload[..^1]).Problem); // one byte short
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0x07 }, "systolic is NaN")]
    [InlineData(new byte[] { 0x00, 0x08 }, "systolic is NRes")]
    [InlineData(new byte[] { 0xFE, 0x07 }, "systolic is +INFINITY")]
    [InlineData(new byte[] { 0x02, 0x08 }, "systolic is -INFINITY")]
    public void BloodPressure_ASpecialValue_IsRefusedWithItsReason(byte[] systolic, string reason)
    {
        var (problem, readings) = Decode(new BloodPressureMeasurementDecoder(), [0x00, .. systolic, 0x50, 0x00, 0x5D, 0x00]);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.Empty(readings);
    }

    [Theory]
    [InlineData(0x0001, "body movement")]
    [InlineData(0x0002, "cuff too loose")]
    [InlineData(0x0020, "improper measurement position")]
    public void BloodPressure_AnUntrustworthyStatus_IsRefusedNamingIt(int status, string meaning)
    {
        var (problem, readings) = Decode(new BloodPressureMeasurementDecoder(), [0x10, 0x78, 0x00, 0x50, 0x00, 0x5D, 0x00, (byte)status, (byte)(status >> 8)]);
        Assert.Contains(meaning, problem, StringComparison.Ordinal);
        Assert.Empty(readings);
    }

    [Fact]
    public void BloodPressure_ASpecialPulse_LeavesThePressuresAndMakesOnlyThePulseInvalid()
    {
        var (problem, readings) = Decode(new BloodPressureMeasurementDecoder(), [0x04, 0x78, 0x00, 0x50, 0x00, 0x5D, 0x00, 0xFF, 0x07]);
        Assert.Null(problem);
        Assert.Equal([120.0, 80.0, 93.0, null], readings.Select(r => r.Value));
    }

    public static TheoryData<byte> AllWeightFlags() => [.. Enumerable.Range(0, 16).Select(f => (byte)f).Append((byte)0xF0)];

    [Theory]
    [MemberData(nameof(AllWeightFlags))]
    public void Weight_EveryFlagCombination_DecodesWeightAndBmiWithHeightWhenPresent(byte flags)
    {
        var imperial = (flags & 0x01) != 0;
        // 70.2 kg = 14040 x 0.005 kg, or 154.80 lb = 15480 x 0.01 lb; BMI 22.9; height 1.751 m or 68.9 in.
        byte[] weight = imperial ? [0x78, 0x3C] : [0xD8, 0x36];
        byte[] bmiHeight = imperial ? [0xE5, 0x00, 0xB1, 0x02] : [0xE5, 0x00, 0xD7, 0x06];
        byte[] payload = [flags, .. weight, .. (flags & 0x02) != 0 ? Stamp : [], .. (flags & 0x04) != 0 ? new byte[] { 3 } : [], .. (flags & 0x08) != 0 ? bmiHeight : []];

        var (problem, readings) = Decode(new WeightMeasurementDecoder(), payload);

        Assert.Null(problem);
        var kg = imperial ? 70.216 : 70.2;           // 154.80 lb x 0.45359237 kg/lb = 70.2161 kg
        var height = imperial ? 1.7501 : 1.751;      // 68.9 in x 2.54 cm/in = 175.006 cm
        Assert.Equal([kg, .. (flags & 0x08) != 0 ? new[] { 22.9, height } : []], readings.Select(r => r.Value!.Value));
        Assert.All(readings, r => Assert.Equal((flags & 0x02) != 0 ? StampTime : null, r.DeviceTime));
        if (payload.Length > 3)
        {
            Assert.NotNull(Decode(new WeightMeasurementDecoder(), payload[..^1]).Problem);
        }
    }

    [Fact]
    public void Weight_Unsuccessful_IsRefusedWithThatReason()
    {
        var (problem, readings) = Decode(new WeightMeasurementDecoder(), [0x00, 0xFF, 0xFF]);
        Assert.Contains("measurement unsuccessful", problem, StringComparison.Ordinal);
        Assert.Empty(readings);
    }

    public static TheoryData<byte> AllSpotCheckFlags() => [.. Enumerable.Range(0, 16).Select(f => (byte)f).Append((byte)0xF0)];

    [Theory]
    [MemberData(nameof(AllSpotCheckFlags))]
    public void PlxSpotCheck_EveryFlagCombination_DecodesSpO2AndPulse(byte flags)
    {
        byte[] payload = [flags, 0x61, 0x00, 0x48, 0x00, .. (flags & 0x01) != 0 ? Stamp : [], .. (flags & 0x02) != 0 ? new byte[] { 0, 0 } : [],
            .. (flags & 0x04) != 0 ? new byte[] { 0, 0, 0 } : [], .. (flags & 0x08) != 0 ? new byte[] { 0x32, 0xF0 } : []];

        var (problem, readings) = Decode(new PlxSpotCheckMeasurementDecoder(), payload);

        Assert.Null(problem);
        Assert.Equal([97.0, 72.0], readings.Select(r => r.Value!.Value));
        Assert.All(readings, r => Assert.Equal((flags & 0x01) != 0 ? StampTime : null, r.DeviceTime));
        if (payload.Length > 5)
        {
            Assert.NotNull(Decode(new PlxSpotCheckMeasurementDecoder(), payload[..^1]).Problem);
        }
    }

    [Fact]
    public void PlxSpotCheck_SensorOffThePatient_IsInvalid_AndANaNIsRefused()
    {
        var (problem, readings) = Decode(new PlxSpotCheckMeasurementDecoder(), [0x04, 0x61, 0x00, 0x48, 0x00, 0x02, 0x00, 0x00]); // device status bit 1
        Assert.Null(problem);
        Assert.Equal([null, null], readings.Select(r => r.Value));
        Assert.Contains("SpO2 is NaN", Decode(new PlxSpotCheckMeasurementDecoder(), [0x00, 0xFF, 0x07, 0x48, 0x00]).Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 12, 5, 3, 10, 0 }, "not known")]
    [InlineData(new byte[] { 0xEA, 0x07, 2, 30, 3, 10, 0 }, "not a valid time")]
    [InlineData(new byte[] { 0xEA, 0x07, 12, 5, 24, 10, 0 }, "not a valid time")]
    public void ATimeStampThatIsNoTime_RefusesTheMeasurement(byte[] stamp, string reason)
    {
        var (problem, readings) = Decode(new BloodPressureMeasurementDecoder(), [0x02, 0x78, 0x00, 0x50, 0x00, 0x5D, 0x00, .. stamp]);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.Empty(readings);
    }

    [Theory]
    [InlineData(0, true)]          // stamped as it arrived
    [InlineData(-90, true)]        // a cuff indicates after deflating: 90 s later
    [InlineData(-121, false)]      // older than the allowed lag: the device clock is wrong
    [InlineData(4, true)]          // a few seconds ahead
    [InlineData(600, false)]       // ten minutes ahead
    [InlineData(-86400 * 400, false)] // never set (a year ago)
    public void DeviceClock_ChartsAtTheDeviceTimeOnlyWhenItAgreesWithTheBox(int deviceMinusArrivalSeconds, bool atDeviceTime)
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("test+1", TimeSpan.FromHours(1), "test+1", "test+1");
        var arrived = new DateTimeOffset(2026, 12, 5, 2, 10, 0, TimeSpan.Zero);
        var deviceLocal = new DateTime(2026, 12, 5, 3, 10, 0, DateTimeKind.Unspecified).AddSeconds(deviceMinusArrivalSeconds); // local = UTC+1

        var at = DeviceClock.Chart(deviceLocal, arrived, zone, out var offBy);

        Assert.Equal(atDeviceTime ? arrived.AddSeconds(deviceMinusArrivalSeconds) : arrived, at);
        Assert.Equal(atDeviceTime ? null : TimeSpan.FromSeconds(deviceMinusArrivalSeconds), offBy);
    }

    [Theory]
    [InlineData((ushort)0x07FF, "NaN")]
    [InlineData((ushort)0x0800, "NRes (not at this resolution)")]
    [InlineData((ushort)0x07FE, "+INFINITY")]
    [InlineData((ushort)0x0802, "-INFINITY")]
    [InlineData((ushort)0x0801, "reserved")]
    [InlineData((ushort)0x0078, null)]
    public void SFloatSpecial_NamesEachSpecialValue(ushort raw, string? name) =>
        Assert.Equal(name, Ieee11073.SFloatSpecial(BitConverter.GetBytes(raw)));
}
