namespace EdgeTwin.Drivers.Tests.I2c;

using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.I2c.Max30102;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

public class Max30102Tests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    // Datasheet Table 8 (LED pulse amplitude): 0.2 mA per step.
    [Theory]
    [InlineData(0.0, 0x00)]
    [InlineData(0.2, 0x01)]
    [InlineData(0.4, 0x02)]
    [InlineData(3.0, 0x0F)]
    [InlineData(6.2, 0x1F)]
    [InlineData(12.6, 0x3F)]
    [InlineData(25.4, 0x7F)]
    [InlineData(51.0, 0xFF)]
    public void LedCurrent_MapsToTheDatasheetRegisterValue(double milliamps, int register)
    {
        Assert.Equal(register, Max30102Settings.LedRegister(milliamps));
    }

    [Theory]
    [InlineData(-0.2)]
    [InlineData(51.2)]
    [InlineData(double.NaN)]
    public void LedCurrent_OutOfRange_IsRejected(double milliamps)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Max30102Settings.LedRegister(milliamps));
    }

    [Fact]
    public void Configure_WritesTheRegistersTheDatasheetDescribes()
    {
        using var fake = new FakeMax30102(new FakeTimeProvider(Start));
        using var chip = new Max30102(fake);

        chip.Configure(new Max30102Settings());

        // SMP_AVE=4 (010), rollover, A_FULL=15 -> 0101_1111; ADC 4096 nA (01), 400 sps (011), 411 us (11) -> 0010_1111.
        Assert.Equal(0x5F, fake[(byte)Max30102Register.FifoConfiguration]);
        Assert.Equal(0x2F, fake[(byte)Max30102Register.SpO2Configuration]);
        Assert.Equal(0x24, fake[(byte)Max30102Register.Led1PulseAmplitude]);
        Assert.Equal(0x24, fake[(byte)Max30102Register.Led2PulseAmplitude]);
        Assert.Equal(0x03, fake[(byte)Max30102Register.ModeConfiguration]);
        Assert.Equal(100, fake.OutputRateHz);
    }

    [Fact]
    public void Settings_TooFastForThePulseWidth_AreRejected_BeforeAnyWrite()
    {
        using var fake = new FakeMax30102(new FakeTimeProvider(Start));
        using var chip = new Max30102(fake);

        Assert.Throws<ArgumentException>(() => chip.Configure(new Max30102Settings(SampleRate: Max30102SampleRate.Sps800)));
        Assert.Equal(0, fake.Transfers);
    }

    [Fact]
    public void Reset_RestoresPowerOnValues()
    {
        using var fake = new FakeMax30102(new FakeTimeProvider(Start));
        using var chip = new Max30102(fake);
        chip.Configure(new Max30102Settings());

        chip.Reset();

        Assert.Equal(0x00, fake[(byte)Max30102Register.SpO2Configuration]);
        Assert.Equal(0x00, fake[(byte)Max30102Register.ModeConfiguration]);
        Assert.Equal(0x15, chip.ReadPartId());
    }

    // FIFO data is left-justified: bit 17 of the 3 bytes is the MSB, the 6 bits above are unused.
    [Theory]
    [InlineData(0x03, 0xFF, 0xFF, 0x3FFFF)]
    [InlineData(0xFC, 0x00, 0x01, 1)]
    [InlineData(0x01, 0xD4, 0xC0, 120_000)]
    public void Decode_Takes18BitsLeftJustified(int b0, int b1, int b2, int expected)
    {
        Assert.Equal(expected, Max30102.Decode([(byte)b0, (byte)b1, (byte)b2]));
    }

    // Die temperature: TINT two's complement (0x7F = +127, 0x80 = -128, 0xFF = -1), TFRAC 0.0625 per step.
    [Theory]
    [InlineData(0x19, 0x00, 25.0)]
    [InlineData(0x7F, 0x0F, 127.9375)]
    [InlineData(0x80, 0x00, -128.0)]
    [InlineData(0xFF, 0x08, -0.5)]
    public void DieTemperature_FollowsTheDatasheetTable(int integer, int fraction, double celsius)
    {
        Assert.Equal(celsius, Max30102.DieTemperature((byte)integer, (byte)fraction));
    }

    [Fact]
    public void ReadFifo_CountsAcrossThePointerWrap_AndDecodesEntries()
    {
        var time = new FakeTimeProvider(Start);
        using var fake = new FakeMax30102(time);
        using var chip = new Max30102(fake);
        chip.Configure(new Max30102Settings());
        var buffer = new PpgSample[32];

        time.Advance(TimeSpan.FromMilliseconds(280)); // 28 entries at 100 Hz
        Assert.Equal(28, chip.ReadFifo(buffer, out var lost));
        Assert.Equal(0, lost);
        Assert.Equal(FakeMax30102.Synthesise(27, 100, 75, 97, true), buffer[27]);

        time.Advance(TimeSpan.FromMilliseconds(60)); // write pointer wraps past 31: (2 - 28) & 31 = 6
        Assert.Equal(6, chip.ReadFifo(buffer, out lost));
        Assert.Equal(FakeMax30102.Synthesise(33, 100, 75, 97, true), buffer[5]);
    }

    [Fact]
    public void ReadFifo_AfterOverflow_ReportsTheLostEntries()
    {
        var time = new FakeTimeProvider(Start);
        using var fake = new FakeMax30102(time);
        using var chip = new Max30102(fake);
        chip.Configure(new Max30102Settings());

        time.Advance(TimeSpan.FromMilliseconds(450)); // 45 produced, 32 kept
        Assert.Equal(32, chip.ReadFifo(new PpgSample[32], out var lost));
        Assert.Equal(13, lost);
    }

    [Fact]
    public void ReadFifo_GarbagePointers_Throw()
    {
        using var fake = new FakeMax30102(new FakeTimeProvider(Start)) { Garbage = 0xFF };
        using var chip = new Max30102(fake);

        Assert.Throws<InvalidDataException>(() => chip.ReadFifo(new PpgSample[32], out _));
    }

    [Fact]
    public void Probe_WrongPartId_IsRejected()
    {
        var fake = new FakeMax30102(new FakeTimeProvider(Start)) { Garbage = 0x00 };
        using var sensor = new Max30102Sensor(fake);

        var error = Assert.Throws<InvalidDataException>(() => sensor.Probe());
        Assert.Contains("0x15", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Probe_Nack_Throws()
    {
        var fake = new FakeMax30102(new FakeTimeProvider(Start)) { Nack = true };
        using var sensor = new Max30102Sensor(fake);

        Assert.Throws<IOException>(() => sensor.Probe());
    }

    [Theory]
    [InlineData(97, 75)]
    [InlineData(91, 120)]
    [InlineData(85, 48)]
    public void Sensor_RecoversSpO2AndPulseRate_FromThePpg(double spo2, double heartRate)
    {
        var time = new FakeTimeProvider(Start);
        var fake = new FakeMax30102(time) { SpO2 = spo2, HeartRate = heartRate };
        using var sensor = new Max30102Sensor(fake);
        sensor.Probe();
        var readout = new SensorReadout();

        for (var i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            sensor.Read(readout);
        }

        Assert.Equal(1000, readout.WaveformSamples.Count);
        Assert.All(readout.WaveformSamples, s => Assert.Equal(StreamCodes.Pleth.Code, s.Stream.Code));
        var spo2Values = readout.Vitals.Where(v => v.Stream == StreamCodes.SpO2).Select(v => v.Value).ToList();
        var rates = readout.Vitals.Where(v => v.Stream == StreamCodes.PulseRateOximetry).Select(v => v.Value).ToList();
        Assert.Equal(10, spo2Values.Count);
        Assert.Equal(10, rates.Count);

        // The first 5 s fill the window; after that every second has values.
        Assert.All(spo2Values.Take(4), v => Assert.Null(v));
        Assert.All(spo2Values.Skip(5), v => Assert.InRange(v!.Value, spo2 - 1, spo2 + 1));
        Assert.All(rates.Skip(5), v => Assert.InRange(v!.Value, heartRate - 3, heartRate + 3));
    }

    [Fact]
    public void Streams_ThePulseRateIsTheOximetersNotTheEcgHeartRate()
    {
        var time = new FakeTimeProvider(Start);
        using var sensor = new Max30102Sensor(new FakeMax30102(time));

        Assert.Equal(
            [StreamCodes.Pleth.Code, "loinc:59408-5", "loinc:8889-8"],
            sensor.Streams.Select(s => s.Code.Code));
    }

    [Fact]
    public void Sensor_WithoutAFinger_GivesInvalidValues()
    {
        var time = new FakeTimeProvider(Start);
        var fake = new FakeMax30102(time) { Finger = false };
        using var sensor = new Max30102Sensor(fake);
        sensor.Probe();
        var readout = new SensorReadout();

        for (var i = 0; i < 80; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            sensor.Read(readout);
        }

        Assert.All(readout.Vitals, v => Assert.Null(v.Value));
        Assert.All(readout.WaveformSamples, v => Assert.Null(v.Value));
        Assert.Equal(800, readout.WaveformSamples.Count);
    }

    [Fact]
    public void Sensor_FifoOverflow_KeepsTheGridWithInvalidSamples()
    {
        var time = new FakeTimeProvider(Start);
        var fake = new FakeMax30102(time);
        using var sensor = new Max30102Sensor(fake);
        sensor.Probe();
        var readout = new SensorReadout();

        time.Advance(TimeSpan.FromMilliseconds(500));
        sensor.Read(readout);

        Assert.Equal(50, readout.WaveformSamples.Count);
        Assert.Equal(18, readout.WaveformSamples.Count(s => s.Value is null));
    }
}
