namespace EdgeTwin.Drivers.Tests.I2c;

using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.I2c.Mlx90614;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Fakes;

public class Mlx90614Tests
{
    // Datasheet: T[K] = raw x 0.02; e.g. 0x2DE4 = 11748 -> 234.96 K = -38.19 C; 0x3AF7 -> 28.75 C.
    // Bit 15 is the error flag: the binding then reads far below absolute zero, which no range accepts.
    [Theory]
    [InlineData(0x2DE4, -38.19)]
    [InlineData(0x3AF7, 28.75)]
    [InlineData(0x3C92, 36.97)]
    [InlineData(0x8000, -928.51)]
    public void ObjectTemperature_FollowsTheDatasheetConversion(int raw, double celsius)
    {
        using var sensor = new Mlx90614Sensor(new FakeMlx90614 { ObjectRaw = (ushort)raw });
        var readout = new SensorReadout();

        sensor.Read(readout);

        Assert.Equal(celsius, Assert.Single(readout.Vitals).Value);
    }

    [Fact]
    public void PlausibleRange_RejectsTheUnpluggedAndErrorReadings()
    {
        var range = Assert.Single(Mlx90614Sensor.StreamList);

        Assert.True(range.IsPlausible(37.2));
        Assert.False(range.IsPlausible(85.0));
        Assert.False(range.IsPlausible(-928.51));
    }

    [Fact]
    public void Probe_ReadsTheFactoryId_ThenReadsObjectTemperatureWithOffset()
    {
        var fake = new FakeMlx90614 { ObjectRaw = 0x3AF7 };
        using var sensor = new Mlx90614Sensor(fake, offsetC: 8.25);

        var identity = sensor.Probe();
        var readout = new SensorReadout();
        sensor.Read(readout);

        Assert.Equal("0DEF9ABC56781234", identity.Serial);
        var (stream, value) = Assert.Single(readout.Vitals);
        Assert.Equal(StreamCodes.BodyTemperature, stream);
        Assert.Equal(37.0, value);
    }

    [Fact]
    public void Probe_GarbageAmbient_IsRejected()
    {
        var fake = new FakeMlx90614 { Garbage = 0xFF };
        using var sensor = new Mlx90614Sensor(fake);

        Assert.Throws<InvalidDataException>(() => sensor.Probe());
    }

    [Fact]
    public void Probe_Nack_Throws()
    {
        using var sensor = new Mlx90614Sensor(new FakeMlx90614 { Nack = true });

        Assert.Throws<IOException>(() => sensor.Probe());
    }

    [Fact]
    public void Dispose_DisposesTheDevice()
    {
        var fake = new FakeMlx90614();
        new Mlx90614Sensor(fake).Dispose();

        Assert.True(fake.Disposed);
    }
}
