namespace EdgeTwin.Drivers.Tests.Gpio;

using System.Device.Gpio;
using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Drivers.Tests.Fakes;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Time.Testing;

public class AnnunciatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static int Pulses(AnnunciationLevel level, TimeSpan from, TimeSpan to, Func<AnnunciatorOutputs, bool> output)
    {
        var pulses = 0;
        var previous = false;
        for (var t = from; t < to; t += TimeSpan.FromMilliseconds(5))
        {
            var on = output(AnnunciationPattern.At(level, t, audioPaused: false));
            pulses += on && !previous ? 1 : 0;
            previous = on;
        }

        return pulses;
    }

    [Fact]
    public void High_IsTenBuzzerPulsesPerFiveSeconds_AndRedFlashingAt2Hz()
    {
        Assert.Equal(10, Pulses(AnnunciationLevel.High, TimeSpan.Zero, TimeSpan.FromSeconds(5), o => o.Buzzer));
        Assert.Equal(20, Pulses(AnnunciationLevel.High, TimeSpan.Zero, TimeSpan.FromSeconds(10), o => o.Buzzer));
        Assert.Equal(10, Pulses(AnnunciationLevel.High, TimeSpan.Zero, TimeSpan.FromSeconds(5), o => o.Red));
        Assert.Equal(0, Pulses(AnnunciationLevel.High, TimeSpan.Zero, TimeSpan.FromSeconds(5), o => o.Yellow));
    }

    [Fact]
    public void Medium_IsThreePulsesPerTenSeconds_AndYellowFlashingAtHalfAHertz()
    {
        Assert.Equal(3, Pulses(AnnunciationLevel.Medium, TimeSpan.Zero, TimeSpan.FromSeconds(10), o => o.Buzzer));
        Assert.Equal(5, Pulses(AnnunciationLevel.Medium, TimeSpan.Zero, TimeSpan.FromSeconds(10), o => o.Yellow));
        Assert.Equal(0, Pulses(AnnunciationLevel.Medium, TimeSpan.Zero, TimeSpan.FromSeconds(10), o => o.Red));
    }

    [Fact]
    public void Low_IsSteadyYellow_Silent()
    {
        Assert.All(
            Enumerable.Range(0, 200).Select(ms => AnnunciationPattern.At(AnnunciationLevel.Low, TimeSpan.FromMilliseconds(ms * 50), false)),
            o => Assert.Equal(new AnnunciatorOutputs(false, true, false), o));
    }

    [Fact]
    public void AudioPaused_SilencesTheBuzzer_NotTheLight()
    {
        var paused = AnnunciationPattern.At(AnnunciationLevel.High, TimeSpan.FromMilliseconds(10), audioPaused: true);

        Assert.Equal(new AnnunciatorOutputs(true, false, false), paused);
    }

    [Fact]
    public async Task Gpio_DrivesThePins_AndSwitchesOffWhenStopped()
    {
        var time = new FakeTimeProvider(Start);
        var driver = new FakeGpioDriver(time);
        var pins = new GpioAnnunciatorPins();
        await using var annunciator = new GpioAnnunciator(new GpioController(driver), pins, time);
        using var cts = new CancellationTokenSource();
        var run = annunciator.RunAsync(cts.Token);
        await Eventually.TrueAsync(() => annunciator.Steps > 0, "first step");

        annunciator.Set(AnnunciationLevel.High);
        for (var i = 0; i < 196; i++)
        {
            var before = annunciator.Steps;
            time.Advance(TimeSpan.FromMilliseconds(25));
            await Eventually.TrueAsync(() => annunciator.Steps > before, "pattern step");
        }

        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        // One burst in the first 4.9 s: ten rising edges of the buzzer output.
        Assert.Equal(10, driver.RisingEdges(pins.BuzzerPin));
        Assert.Equal(PinMode.Output, driver.Mode(pins.RedPin));
        Assert.Equal(PinValue.Low, driver.Value(pins.RedPin));
        Assert.Equal(PinValue.Low, driver.Value(pins.BuzzerPin));
    }

    [Fact]
    public void InvalidLevelOrPause_IsRejected_AndChangesNothing()
    {
        var time = new FakeTimeProvider(Start);
        var annunciator = new GpioAnnunciator(new GpioController(new FakeGpioDriver(time)), new GpioAnnunciatorPins(), time);
        annunciator.Set(AnnunciationLevel.Medium);

        Assert.Throws<ArgumentOutOfRangeException>(() => annunciator.Set((AnnunciationLevel)9));
        Assert.Throws<ArgumentOutOfRangeException>(() => annunciator.PauseAudio(TimeSpan.FromMinutes(5)));
        Assert.Equal(AnnunciationLevel.Medium, annunciator.Level);
        Assert.Null(annunciator.AudioPausedUntil);
    }
}
