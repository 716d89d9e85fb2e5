namespace EdgeTwin.Drivers.Tests.Hardware;

using System.Device.I2c;
using EdgeTwin.Drivers.I2c.Max30102;
using EdgeTwin.Drivers.I2c.Mlx90614;
using EdgeTwin.Drivers.Hardware;

/// <summary>
/// Run on a bedside box wired as hardware/README.md describes (<c>dotnet test --filter Category=Hardware</c>);
/// filtered out everywhere else.
/// </summary>
[Trait("Category", "Hardware")]
public class RealHardwareTests
{
    [Fact]
    public void Max30102_OnBus1_AnswersItsPartId_AndFillsItsFifo()
    {
        using var sensor = new Max30102Sensor(I2cDevice.Create(new I2cConnectionSettings(1, Max30102.DefaultI2cAddress)));

        var identity = sensor.Probe();
        Thread.Sleep(500);
        var readout = new SensorReadout();
        sensor.Read(readout);

        Assert.Equal("part-0x15", identity.Serial);
        Assert.InRange(readout.WaveformSamples.Count, 20, 32);
    }

    [Fact]
    public void Mlx90614_OnBus1_ReadsARoomOrBodyTemperature()
    {
        using var sensor = new Mlx90614Sensor(I2cDevice.Create(new I2cConnectionSettings(1, 0x5A)));

        sensor.Probe();
        var readout = new SensorReadout();
        sensor.Read(readout);

        Assert.InRange(Assert.Single(readout.Vitals).Value!.Value, 10, 45);
    }
}
