namespace EdgeTwin.Drivers.Tests.Ble;

using EdgeTwin.Drivers.Ble.Gatt;
using EdgeTwin.Drivers.Model;

/// <summary>
/// Glucose Measurement 0x2A18 and Glucose Measurement Context 0x2A34 (issue 19). Payloads are built
/// byte by byte from the Glucose Service field tables; every flag combination is decoded, special
/// values, control solution, interstitial fluid and failing sensor statuses are refused with their reason.
/// </summary>
public class GlucoseDecoderTests
{
    private static readonly byte[] BaseTime = [0xEA, 0x07, 12, 5, 6, 45, 0]; // 2026-12-05 06:45:00

    private static byte[] Measurement(byte flags, ushort sequence, byte[] concentration, byte typeLocation = 0x11, ushort status = 0, short offsetMinutes = -5) =>
    [
        flags, (byte)sequence, (byte)(sequence >> 8), .. BaseTime,
        .. (flags & 0x01) != 0 ? new[] { (byte)offsetMinutes, (byte)(offsetMinutes >> 8) } : [],
        .. (flags & 0x02) != 0 ? [.. concentration, typeLocation] : Array.Empty<byte>(),
        .. (flags & 0x08) != 0 ? new[] { (byte)status, (byte)(status >> 8) } : [],
    ];

    // 105 mg/dL = 0.00105 kg/L = 105 x 10^-5 (0xB069); 5.8 mmol/L = 0.0058 mol/L = 58 x 10^-4 (0xC03A).
    private static readonly byte[] Mass = [0x69, 0xB0];
    private static readonly byte[] Molar = [0x3A, 0xC0];

    public static TheoryData<byte> AllMeasurementFlags() => [.. Enumerable.Range(0, 32).Select(f => (byte)f).Append((byte)0xFF)];

    [Fact]
    public void Uuids_AreTheSigAssignedNumbers()
    {
        Assert.Equal("00002a18-0000-1000-8000-00805f9b34fb", new GlucoseMeasurementDecoder().CharacteristicUuid);
        Assert.Equal("00002a34-0000-1000-8000-00805f9b34fb", GlucoseContextDecoder.Uuid);
    }

    [Theory]
    [MemberData(nameof(AllMeasurementFlags))]
    public void Measurement_EveryFlagCombination_DecodesSequenceTimeAndConcentration_OrRefusesWhenThereIsNone(byte flags)
    {
        var molar = (flags & 0x04) != 0;
        var payload = Measurement(flags, 0x0102, molar ? Molar : Mass, status: 0x0001); // status: battery low, the value stands

        var problem = GlucoseMeasurementDecoder.Read(payload, out var m);

        if ((flags & 0x02) == 0)
        {
            Assert.Equal("glucose measurement 258 refused: it carries no concentration (flags bit 1 clear)", problem);
            Assert.Null(m);
            return;
        }

        Assert.Null(problem);
        Assert.Equal(258, m!.Sequence);
        Assert.Equal(new DateTime(2026, 12, 5, 6, (flags & 0x01) != 0 ? 40 : 45, 0), m.DeviceTime);
        Assert.Equal(m.DeviceTime, m.Reading.DeviceTime);
        Assert.Equal(molar ? StreamCodes.GlucoseCapillaryMoles : StreamCodes.GlucoseCapillaryMass, m.Reading.Stream);
        Assert.Equal(molar ? 5.8 : 105.0, m.Reading.Value);
        Assert.Equal((flags & 0x10) != 0, m.ContextFollows);
        Assert.StartsWith("glucose measurement of", GlucoseMeasurementDecoder.Read(payload[..^1], out _), StringComparison.Ordinal); // one byte short
    }

    [Theory]
    [InlineData(0x11, "loinc:41653-7")] // capillary whole blood, finger
    [InlineData(0x22, "loinc:41653-7")] // capillary plasma, alternate site
    [InlineData(0x13, "loinc:2339-0")]  // venous whole blood
    [InlineData(0x16, "loinc:2339-0")]  // arterial plasma
    [InlineData(0xF7, "loinc:2339-0")]  // undetermined whole blood, location not available
    public void Measurement_SampleType_PicksTheCapillaryOrTheBloodCode(byte typeLocation, string code)
    {
        Assert.Null(GlucoseMeasurementDecoder.Read(Measurement(0x02, 1, Mass, typeLocation), out var m));
        Assert.Equal(code, m!.Reading.Stream.Code);
        Assert.Equal("mg/dL", m.Reading.Stream.Unit);
    }

    [Theory]
    [InlineData(0x19, "interstitial fluid, not blood")]
    [InlineData(0x1A, "a control solution test, not the patient")]
    [InlineData(0x41, "a control solution test, not the patient")] // capillary type, control solution location
    public void Measurement_NotThePatientsBlood_IsRefused(byte typeLocation, string reason) =>
        Assert.Contains(reason, GlucoseMeasurementDecoder.Read(Measurement(0x02, 7, Mass, typeLocation), out _), StringComparison.Ordinal);

    [Theory]
    [InlineData(new byte[] { 0xFF, 0x07 }, "NaN")]
    [InlineData(new byte[] { 0x00, 0x08 }, "NRes (not at this resolution)")]
    [InlineData(new byte[] { 0xFE, 0x07 }, "+INFINITY")]
    [InlineData(new byte[] { 0x02, 0x08 }, "-INFINITY")]
    [InlineData(new byte[] { 0x01, 0x08 }, "reserved")]
    public void Measurement_ASpecialConcentration_IsRefusedWithItsReason(byte[] concentration, string special)
    {
        Assert.Equal($"glucose measurement 3 refused: the concentration is {special}", GlucoseMeasurementDecoder.Read(Measurement(0x02, 3, concentration), out var m));
        Assert.Null(m);
    }

    [Theory]
    [InlineData(1, "sensor malfunction")]
    [InlineData(2, "sample size insufficient")]
    [InlineData(3, "strip insertion error")]
    [InlineData(4, "strip type incorrect")]
    [InlineData(5, "result higher than the meter can process (HI)")]
    [InlineData(6, "result lower than the meter can process (LO)")]
    [InlineData(7, "sensor temperature too high")]
    [InlineData(8, "sensor temperature too low")]
    [InlineData(9, "sensor read interrupted (strip pulled too soon)")]
    [InlineData(10, "general device fault")]
    [InlineData(11, "time fault (the meter's time is not reliable)")]
    public void Measurement_AStatusSayingTheResultIsNotAMeasurement_IsRefusedNamingIt(int bit, string meaning) =>
        Assert.Equal($"glucose measurement 4 refused: the meter reports {meaning}", GlucoseMeasurementDecoder.Read(Measurement(0x0A, 4, Mass, status: (ushort)(1 << bit)), out _));

    [Fact]
    public void Measurement_UnknownBaseTime_IsRefused_AndTooShortIsMalformed()
    {
        byte[] payload = [0x02, 5, 0, 0, 0, 0, 0, 0, 0, 0, .. Mass, 0x11];
        Assert.Equal("glucose measurement 5 refused: device time stamp not known (year, month or day 0)", GlucoseMeasurementDecoder.Read(payload, out _));
        Assert.Equal("glucose measurement of 9 bytes; at least 10 expected", GlucoseMeasurementDecoder.Read(payload[..9], out _));
    }

    [Fact]
    public void Measurement_TimeOffset_CrossesMidnightBackwards()
    {
        byte[] payload = [0x03, 9, 0, 0xEA, 0x07, 12, 5, 0, 10, 0, 0xE2, 0xFF, .. Mass, 0x11]; // 00:10 - 30 min
        Assert.Null(GlucoseMeasurementDecoder.Read(payload, out var m));
        Assert.Equal(new DateTime(2026, 12, 4, 23, 40, 0), m!.DeviceTime);
    }

    [Fact]
    public void Measurement_AsAProfileDecoder_AddsTheConcentrationReading()
    {
        var readings = new List<GattReading>();
        Assert.Null(new GlucoseMeasurementDecoder().Decode(Measurement(0x06, 1, Molar), readings));
        Assert.Equal(5.8, Assert.Single(readings).Value);
        readings.Clear();
        Assert.NotNull(new GlucoseMeasurementDecoder().Decode(Measurement(0x00, 1, Molar), readings));
        Assert.Empty(readings);
    }

    public static TheoryData<byte> AllContextFlags() => [.. Enumerable.Range(0, 256).Select(f => (byte)f)];

    [Theory]
    [MemberData(nameof(AllContextFlags))]
    public void Context_EveryFlagCombination_DecodesTheFieldsPresent(byte flags)
    {
        byte[] payload =
        [
            flags, 0x02, 0x01,
            .. (flags & 0x80) != 0 ? new byte[] { 0x00 } : [],
            .. (flags & 0x01) != 0 ? new byte[] { 1, 0x2D, 0xD0 } : [],      // breakfast, 45 x 10^-3 kg
            .. (flags & 0x02) != 0 ? new byte[] { 3 } : [],                  // fasting
            .. (flags & 0x04) != 0 ? new byte[] { 0x51 } : [],               // self, no health issues
            .. (flags & 0x08) != 0 ? new byte[] { 0x08, 0x07, 60 } : [],     // 1800 s at 60 %
            .. (flags & 0x10) != 0 ? new byte[] { 1, 0x04, 0xB0 } : [],      // rapid acting insulin, 4 x 10^-5 (kg: 40 mg; L: 0.04 mL)
            .. (flags & 0x40) != 0 ? new byte[] { 0x3A, 0xF0 } : [],         // HbA1c 5.8 %
        ];

        Assert.Null(GlucoseContextDecoder.Read(payload, out var c));

        Assert.Equal(258, c!.Sequence);
        Assert.Equal((flags & 0x01) != 0 ? ("breakfast", 45.0) : (null, null), (c.Carbohydrate, c.CarbohydrateGrams));
        Assert.Equal((flags & 0x02) != 0 ? "fasting" : null, c.Meal);
        Assert.Equal((flags & 0x04) != 0 ? ("self", "no health issues") : (null, null), (c.Tester, c.Health));
        Assert.Equal((flags & 0x08) != 0 ? (1800, 60) : (null, null), (c.ExerciseSeconds, c.ExerciseIntensityPercent));
        var ml = (flags & 0x20) != 0;
        Assert.Equal((flags & 0x10) != 0 ? ("rapid acting insulin", ml ? 0.04 : 40.0, ml) : (null, null, false), (c.Medication, c.MedicationAmount, c.MedicationInMillilitres));
        Assert.Equal((flags & 0x40) != 0 ? 5.8 : null, c.HbA1cPercent);
        if (payload.Length > 3 + ((flags & 0x80) != 0 ? 1 : 0))
        {
            Assert.StartsWith("glucose context of", GlucoseContextDecoder.Read(payload[..^1], out _), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0x01, new byte[] { 1, 0xFF, 0x07 }, "carbohydrate is NaN")]
    [InlineData(0x10, new byte[] { 1, 0x00, 0x08 }, "medication is NRes (not at this resolution)")]
    [InlineData(0x40, new byte[] { 0xFE, 0x07 }, "HbA1c is +INFINITY")]
    [InlineData(0x40, new byte[] { 0x02, 0x08 }, "HbA1c is -INFINITY")]
    [InlineData(0x40, new byte[] { 0x01, 0x08 }, "HbA1c is reserved")]
    public void Context_ASpecialValue_IsRefusedNamingTheField(byte flags, byte[] field, string reason)
    {
        Assert.Equal($"glucose context 6 refused: {reason}", GlucoseContextDecoder.Read([flags, 6, 0, .. field], out var c));
        Assert.Null(c);
    }

    [Fact]
    public void Context_Describe_NamesTheFieldsForTheLog()
    {
        Assert.Null(GlucoseContextDecoder.Read([0x42, 1, 0, 2, 0x3A, 0xF0], out var c));
        Assert.Equal("meal postprandial (after meal), HbA1c 5.8 %", c!.Describe());
        Assert.Null(GlucoseContextDecoder.Read([0x0F, 1, 0, 9, 0x14, 0xD0, 0x0F, 0x2F, 0xFF, 0xFF, 0], out c));
        Assert.Equal("meal reserved, carbohydrate reserved 20 g, tester not available, health major health issues, exercise overrun at 0 %", c!.Describe());
        Assert.Null(GlucoseContextDecoder.Read([0x00, 1, 0], out c));
        Assert.Equal("no context fields", c!.Describe());
    }
}
