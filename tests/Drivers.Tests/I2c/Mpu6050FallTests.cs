namespace EdgeTwin.Drivers.Tests.I2c;

using System.Numerics;
using EdgeTwin.Drivers.Hardware;
using EdgeTwin.Drivers.I2c.Mpu6050;
using EdgeTwin.Drivers.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

public class Mpu6050FallTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static int Falls(params (int Milliseconds, double G)[] segments)
    {
        var detector = new FallDetector();
        var at = Start;
        var falls = 0;
        foreach (var (milliseconds, g) in segments)
        {
            for (var t = 0; t < milliseconds; t += 20, at = at.AddMilliseconds(20))
            {
                falls += detector.Add(at, g) ? 1 : 0;
            }
        }

        return falls;
    }

    [Fact]
    public void FreeFall_ThenImpact_IsOneFall()
    {
        Assert.Equal(1, Falls((1000, 1.0), (300, 0.1), (40, 4.0), (2000, 1.0)));
    }

    [Theory]
    [InlineData(40, 0, 4.0)]    // a dip too short to be a fall (sitting down hard)
    [InlineData(300, 1500, 4.0)] // the impact comes too late
    [InlineData(300, 0, 1.8)]   // no real impact (lowered onto the bed)
    [InlineData(0, 0, 6.0)]     // a knock on the sensor without free fall
    public void NotAFall(int freeFallMs, int pauseMs, double impactG)
    {
        Assert.Equal(0, Falls((1000, 1.0), (freeFallMs, 0.1), (pauseMs, 1.0), (40, impactG), (2000, 1.0)));
    }

    [Fact]
    public void Sensor_SetsPlusMinus16g_AndRaisesTheFall()
    {
        var time = new FakeTimeProvider(Start);
        var chip = new FakeMpu6050();
        var events = new FallEvents();
        var falls = new List<FallDetectedEventArgs>();
        events.FallDetected += (_, e) => falls.Add(e);
        using var sensor = new Mpu6050FallSensor(chip, "fall-1", events, time);

        sensor.Probe();
        Assert.Equal(0x18, chip.AccelConfig & 0x18);

        var readout = new SensorReadout();
        void Run(int milliseconds, Vector3 g)
        {
            chip.AccelerationG = g;
            for (var t = 0; t < milliseconds; t += 20)
            {
                sensor.Read(readout);
                time.Advance(TimeSpan.FromMilliseconds(20));
            }
        }

        Run(500, new Vector3(0, 0, 1));
        Run(200, new Vector3(0.05f, 0.05f, 0.1f));
        Run(40, new Vector3(3f, 1f, 2.5f));
        Run(1000, new Vector3(1, 0, 0));

        var fall = Assert.Single(falls);
        Assert.Equal("fall-1", fall.DeviceId);
        Assert.InRange(fall.PeakG, 3.9, 4.1);
        Assert.Empty(readout.Vitals);
    }

    [Fact]
    public void Probe_WrongWhoAmI_IsRejected()
    {
        using var sensor = new Mpu6050FallSensor(new FakeMpu6050 { Garbage = 0xFF }, "fall-1", new FallEvents(), new FakeTimeProvider());

        Assert.Throws<InvalidDataException>(() => sensor.Probe());
    }

    [Fact]
    public void Probe_Nack_Throws()
    {
        using var sensor = new Mpu6050FallSensor(new FakeMpu6050 { Nack = true }, "fall-1", new FallEvents(), new FakeTimeProvider());

        Assert.Throws<IOException>(() => sensor.Probe());
    }
}
