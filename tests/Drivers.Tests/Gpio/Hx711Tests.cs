namespace EdgeTwin.Drivers.Tests.Gpio;

using System.Device.Gpio;
using EdgeTwin.Drivers.Gpio.Hx711;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

public class Hx711Tests
{
    private static readonly Hx711ScaleSettings Settings = new(DataPin: 5, ClockPin: 6, TareCounts: 8_400, CountsPerKilogram: 21_000);

    // Datasheet: 24-bit two's complement, 800000h = minimum, 7FFFFFh = maximum.
    [Theory]
    [InlineData(0x800000, -8_388_608)]
    [InlineData(0x7FFFFF, 8_388_607)]
    [InlineData(0xFFFFFF, -1)]
    [InlineData(0x000001, 1)]
    public void SignExtend_FollowsTheDatasheetCoding(int coded, int value)
    {
        Assert.Equal(value, Hx711.SignExtend(coded));
    }

    [Theory]
    [InlineData(0x123456)]
    [InlineData(-4_000_000)]
    public void Read_ClocksOut24BitsAndOneGainPulse(int raw)
    {
        var (driver, fake) = Build();
        using var chip = new Hx711(new GpioController(driver), Settings.DataPin, Settings.ClockPin);
        fake.Present(raw);

        Assert.True(chip.TryReadRaw(out var read));
        Assert.Equal(raw, read);
        Assert.Equal(Hx711.PulsesPerReading, fake.Pulses);
        Assert.Equal(PinValue.Low, driver.Value(Settings.ClockPin));
    }

    [Fact]
    public void NotReady_ClocksNothing()
    {
        var (driver, fake) = Build();
        using var chip = new Hx711(new GpioController(driver), Settings.DataPin, Settings.ClockPin);

        Assert.False(chip.TryReadRaw(out _));
        Assert.Equal(0, fake.Pulses);
    }

    [Fact]
    public void Scale_ReportsWeight_OnlyWithSomeoneOnIt()
    {
        var (driver, fake) = Build();
        using var scale = new Hx711ScaleSensor(new GpioController(driver), Settings);
        fake.Present(8_400 + (21_000 * 2)); // 2 kg: the empty platform's clutter
        scale.Probe();
        var readout = new SensorReadout();

        scale.Read(readout);
        Assert.Empty(readout.Vitals);

        fake.Present(8_400 + (int)(21_000 * 82.47));
        scale.Read(readout);
        var (stream, kg) = Assert.Single(readout.Vitals);
        Assert.Equal(StreamCodes.BodyWeight, stream);
        Assert.Equal(82.5, kg);
    }

    [Fact]
    public void Scale_Saturated_IsInvalidAndDegraded()
    {
        var (driver, fake) = Build();
        using var scale = new Hx711ScaleSensor(new GpioController(driver), Settings);
        fake.Present(0);
        scale.Probe();
        fake.Present(0x7FFFFF);
        var readout = new SensorReadout();

        scale.Read(readout);

        Assert.Null(Assert.Single(readout.Vitals).Value);
        Assert.NotNull(readout.Fault);
    }

    [Fact]
    public void Scale_NotConverting_FailsProbe_AndFailsReadsAfterFiveSeconds()
    {
        var (driver, fake) = Build();
        using var scale = new Hx711ScaleSensor(new GpioController(driver), Settings);
        Assert.Throws<IOException>(() => scale.Probe());

        fake.Present(100_000);
        scale.Probe();
        fake.Stop();
        var readout = new SensorReadout();
        for (var second = 1; second < 5; second++)
        {
            scale.Read(readout);
        }

        Assert.Throws<IOException>(() => scale.Read(readout));
        Assert.Empty(readout.Vitals);
    }

    [Fact]
    public void Scale_ZeroCalibration_IsRejected()
    {
        var (driver, _) = Build();

        Assert.Throws<ArgumentException>(() => new Hx711ScaleSensor(new GpioController(driver), Settings with { CountsPerKilogram = 0 }));
    }

    private static (FakeGpioDriver Driver, FakeHx711 Fake) Build()
    {
        var driver = new FakeGpioDriver(new FakeTimeProvider());
        return (driver, new FakeHx711(driver, Settings.DataPin, Settings.ClockPin));
    }
}
