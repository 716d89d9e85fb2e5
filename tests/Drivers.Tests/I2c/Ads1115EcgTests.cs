namespace EdgeTwin.Drivers.Tests.I2c;

using System.Device.Gpio;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.I2c.Ads1115Ecg;
using EdgeTwin.Drivers.Model;
using EdgeTwin.Drivers.Tests.Fakes;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Time.Testing;

public class Ads1115EcgTests
{
    private static readonly Ads1115EcgSettings Settings = new();

    // 125 uV per count at +-4.096 V; AD8232 reference 1.65 V and gain 1100.
    [Theory]
    [InlineData(13200, 0.0)]
    [InlineData(22000, 1.0)]
    [InlineData(4400, -1.0)]
    [InlineData(32767, 2.22352)]
    public void Millivolts_FollowTheAdcScaleAndTheFrontEndGain(short raw, double millivolts)
    {
        Assert.Equal(millivolts, Ads1115EcgSensor.Millivolts(raw, Settings), 5);
    }

    [Fact]
    public void Probe_ConfiguresAin0_4096mV_Continuous_860Sps()
    {
        var (sensor, adc, _) = Build(() => 13200);
        using (sensor)
        {
            sensor.Probe();

            // MUX 100 (AIN0-GND), PGA 001, MODE 0, DR 111, comparator queue 11 (disabled).
            Assert.Equal(0x42E3, adc.Config & 0x7FFF);
        }
    }

    [Fact]
    public void Probe_Garbage_IsRejected()
    {
        var (sensor, adc, _) = Build(() => 0);
        using (sensor)
        {
            // A floating bus reads 0xFF: the config read-back does not match.
            adc.Garbage = 0xFF;
            Assert.Throws<InvalidDataException>(() => sensor.Probe());
        }
    }

    [Fact]
    public void LeadsOff_GiveInvalidSamples_AndAFault()
    {
        var (sensor, _, gpio) = Build(() => 22000);
        using (sensor)
        {
            sensor.Probe();
            var readout = new SensorReadout();
            sensor.Read(readout);
            Assert.Equal(1.0, readout.WaveformSamples[0].Value);
            Assert.Null(readout.Fault);

            gpio.SetInput(Settings.LeadOffMinusPin, PinValue.High);
            sensor.Read(readout);
            Assert.Null(readout.WaveformSamples[1].Value);
            Assert.Equal("ECG leads off", readout.Fault);
        }
    }

    [Fact]
    public void SimulatedEcg_ThroughTheAdc_GivesTheHeartRate()
    {
        var ecg = SimRun.Generate("stable", 5, TimeSpan.FromSeconds(30))
            .Where(s => s.Stream.Code == StreamCodes.EcgLeadII.Code).Select(s => s.Value!.Value).ToList();
        var hr = SimRun.Generate("stable", 5, TimeSpan.FromSeconds(30)).Where(s => s.Stream == StreamCodes.HeartRate).Average(s => s.Value!.Value);
        var index = 0;
        var (sensor, _, _) = Build(() => (short)Math.Round((Settings.ReferenceVolts + (ecg[index++] * Settings.FrontEndGain / 1000)) / Ads1115EcgSensor.VoltsPerCount));
        using (sensor)
        {
            sensor.Probe();
            var readout = new SensorReadout();
            for (var i = 0; i < ecg.Count - 1; i++)
            {
                sensor.Read(readout);
            }

            Assert.Equal(ecg[100], readout.WaveformSamples[100].Value!.Value, 3);
            var rates = readout.Vitals.Where(v => v.Stream == StreamCodes.HeartRate).Skip(12).Select(v => v.Value!.Value).ToList();
            Assert.NotEmpty(rates);
            Assert.All(rates, r => Assert.InRange(r, hr - 6, hr + 6));
        }
    }

    private static (Ads1115EcgSensor Sensor, FakeAds1115 Adc, FakeGpioDriver Gpio) Build(Func<short> input)
    {
        var gpio = new FakeGpioDriver(new FakeTimeProvider());
        gpio.SetInput(Settings.LeadOffPlusPin, PinValue.Low);
        gpio.SetInput(Settings.LeadOffMinusPin, PinValue.Low);
        var adc = new FakeAds1115(input);
        return (new Ads1115EcgSensor(adc, new GpioController(gpio), Settings), adc, gpio);
    }
}
