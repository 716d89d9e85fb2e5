namespace EdgeTwin.Drivers.Tests.Configuration;

using System.Device.Gpio;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Fakes;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

public class ProfileTests
{
    private static IConfiguration Profile(string name) =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "profiles", name), optional: false).Build();

    [Fact]
    public void Ward_IsFourSimulatedBeds_WithMixedScenarios()
    {
        var drivers = new DriverFactory(new FakeTimeProvider()).Create(Profile("ward-sim-4bed.json"));

        Assert.Equal(["sim-bed-1", "sim-bed-2", "sim-bed-3", "sim-bed-4"], drivers.Select(d => d.Info.DeviceId));
        Assert.Contains("(acute-hypoxia)", drivers[2].Info.Model, StringComparison.Ordinal);
    }

    [Fact]
    public void HomeGateway_HasScaleOximeterThermometer_AndAHelpButton()
    {
        var time = new FakeTimeProvider();
        var factory = new DriverFactory(time, hardware: FakeHardware(time));
        var config = Profile("home-gateway.json");

        var drivers = factory.Create(config);
        Assert.Equal(["scale-1", "spo2-1", "temp-1"], drivers.Select(d => d.Info.DeviceId));
        Assert.Single(factory.CreateNurseCallButtons(config));
        Assert.IsType<LogAnnunciator>(factory.CreateAnnunciator(config));
    }

    [Fact]
    public void HomeCare_HasThePatientsFiveBleDevices_AHelpButton_AndQuietHoursAtNight()
    {
        var time = new FakeTimeProvider();
        var factory = new DriverFactory(time, hardware: FakeHardware(time));
        var config = Profile("home-care.json");

        var drivers = factory.Create(config);
        Assert.Equal(["cuff", "scale", "glucometer", "oximeter", "thermometer"], drivers.Select(d => d.Info.DeviceId));
        Assert.All(drivers, d => Assert.StartsWith("Bluetooth LE ", d.Info.Model, StringComparison.Ordinal));
        Assert.Single(factory.CreateNurseCallButtons(config));
        var quiet = DriverConfiguration.QuietHoursOf(DriverConfiguration.Read(config).Annunciator)!;
        Assert.Equal((new TimeOnly(22, 0), new TimeOnly(7, 0)), (quiet.From, quiet.Until));
    }

    [Fact]
    public async Task BedsideBox_OnFakeChips_ProbesEveryDevice_AndYieldsEveryVital()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var factory = new DriverFactory(time, hardware: FakeHardware(time));
        var config = Profile("bedside-box.json");
        var drivers = factory.Create(config);
        await using var annunciator = factory.CreateAnnunciator(config);
        Assert.IsType<GpioAnnunciator>(annunciator);
        Assert.Equal(["spo2-1", "temp-1", "ecg-1", "fall-1"], drivers.Select(d => d.Info.DeviceId));

        var sink = new CollectingSink();
        using var stop = new CancellationTokenSource();
        var runs = drivers.Select(d => d.RunAsync(sink, stop.Token)).ToList();
        await Eventually.TrueAsync(() => drivers.All(d => d.Health == DeviceHealth.Ok), "all probed");

        // Fake time moves in 100 ms steps until the oximeter's SpO2 and the thermometer's reading have come:
        // on a loaded machine the drivers' loops run late, and a fixed number of steps ended before them.
        bool EveryVital(IReadOnlyList<Sample> s) => s.Any(x => x.Stream == StreamCodes.SpO2 && x.IsValid) && s.Any(x => x.Stream == StreamCodes.BodyTemperature);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!EveryVital(sink.Snapshot()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no valid SpO2 and body temperature within 30 s ({sink.Snapshot().Count} samples)");
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }
        await stop.CancelAsync();
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(10));

        var samples = sink.Snapshot();
        Assert.Contains(samples, s => s.DeviceId == "ecg-1" && s.Stream.Code == StreamCodes.EcgLeadII.Code && s.IsValid);
        Assert.Contains(samples, s => s.DeviceId == "spo2-1" && s.Stream.Code == StreamCodes.Pleth.Code && s.IsValid);
        Assert.Contains(samples, s => s.DeviceId == "temp-1" && s.Value is >= 36.5 and <= 37.5);
        Assert.Equal("i2c-1/0x57", drivers[0].Info.BusAddress);
        Assert.Equal("part-0x15", drivers[0].Info.Serial);
    }

    /// <summary>Fake chips at the profile's addresses; GPIO inputs at rest (lead-off outputs low).</summary>
    private static HardwareAccess FakeHardware(TimeProvider time) => new()
    {
        OpenI2c = settings => settings.DeviceAddress switch
        {
            0x57 => new FakeMax30102(time),
            0x5A => new FakeMlx90614 { ObjectRaw = FakeMlx90614.Raw(37.0) },
            0x48 => new FakeAds1115(() => 13_500),
            0x68 => new FakeMpu6050(),
            _ => throw new IOException($"No device at 0x{settings.DeviceAddress:X2}"),
        },
        OpenGpio = () =>
        {
            var gpio = new FakeGpioDriver(time);
            gpio.SetInput(23, PinValue.Low);
            gpio.SetInput(24, PinValue.Low);
            return new GpioController(gpio);
        },
    };
}
