namespace EdgeTwin.Drivers.Tests.Gpio;

using System.Device.Gpio;
using EdgeTwin.Drivers.Configuration;
using EdgeTwin.Drivers.Gpio.Annunciation;
using EdgeTwin.Drivers.Tests.Fakes;
using EdgeTwin.Drivers.Tests.Support;
using Microsoft.Extensions.Time.Testing;

/// <summary>Issue 19, the home alarm policy: during quiet hours only a high-priority alarm sounds the buzzer.</summary>
public class QuietHoursTests
{
    [Theory]
    [InlineData("22:00-07:00", 21, 59, false)]
    [InlineData("22:00-07:00", 22, 0, true)]
    [InlineData("22:00-07:00", 3, 30, true)]
    [InlineData("22:00-07:00", 6, 59, true)]
    [InlineData("22:00-07:00", 7, 0, false)]
    [InlineData("13:00-15:00", 14, 0, true)]
    [InlineData("13:00-15:00", 15, 0, false)]
    public void Contains_InTheirTimeZone_AcrossMidnightToo(string value, int hour, int minute, bool quiet)
    {
        var q = QuietHours.Parse(value, "Europe/Berlin")!;
        var berlinWinter = new DateTimeOffset(2026, 12, 5, hour, minute, 0, TimeSpan.FromHours(1));

        Assert.Equal(quiet, q.Contains(berlinWinter.ToUniversalTime()));
    }

    [Fact]
    public void HighPriority_IsNeverWithheld_MediumAndLowAreAtNight()
    {
        var q = QuietHours.Parse("22:00-07:00", "Etc/UTC")!;
        var night = new DateTimeOffset(2026, 12, 5, 23, 0, 0, TimeSpan.Zero);

        Assert.False(q.Withholds(AnnunciationLevel.High, night));
        Assert.True(q.Withholds(AnnunciationLevel.Medium, night));
        Assert.False(q.Withholds(AnnunciationLevel.Medium, night.AddHours(10)));
    }

    [Theory]
    [InlineData("22-07", null, "Annunciator:QuietHours: '22-07' is not HH:mm-HH:mm")]
    [InlineData("22:00", null, "Annunciator:QuietHours: '22:00' is not HH:mm-HH:mm")]
    [InlineData("25:00-07:00", null, "Annunciator:QuietHours: '25:00-07:00' is not HH:mm-HH:mm")]
    [InlineData("07:00-07:00", null, "starts and ends at the same time")]
    [InlineData("22:00-07:00", "Mars/Olympus", "Annunciator:TimeZone: 'Mars/Olympus' is not a time zone")]
    public void BadSetting_IsAConfigurationErrorNamingTheKey(string value, string? zone, string message)
    {
        var ex = Assert.Throws<DriverConfigurationException>(() => DriverConfiguration.QuietHoursOf(new AnnunciatorOptions { QuietHours = value, TimeZone = zone }));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_IsNoQuietHours() => Assert.Null(DriverConfiguration.QuietHoursOf(new AnnunciatorOptions { QuietHours = " " }));

    [Theory]
    [InlineData(23, AnnunciationLevel.Medium, 0)]   // night, medium: the yellow light flashes, no buzzer
    [InlineData(23, AnnunciationLevel.High, 20)]    // night, high: sounds as always
    [InlineData(12, AnnunciationLevel.Medium, 3)]   // day, medium: sounds as always
    public async Task Gpio_AtNight_OnlyHighPrioritySoundsTheBuzzer_TheLightsAlwaysShow(int hour, AnnunciationLevel level, int buzzerPulses)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, hour, 0, 0, TimeSpan.Zero));
        var gpio = new FakeGpioDriver(time);
        var pins = new GpioAnnunciatorPins();
        await using var annunciator = new GpioAnnunciator(new GpioController(gpio), pins, time, quiet: QuietHours.Parse("22:00-07:00", "Etc/UTC"));
        using var cts = new CancellationTokenSource();
        var run = annunciator.RunAsync(cts.Token);
        await Eventually.TrueAsync(() => annunciator.Steps > 0, "first step");

        annunciator.Set(level);
        for (var i = 0; i < 399; i++) // 10 s less a step: two high bursts, one medium burst
        {
            var before = annunciator.Steps;
            time.Advance(TimeSpan.FromMilliseconds(25));
            await Eventually.TrueAsync(() => annunciator.Steps > before, "pattern step");
        }

        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(buzzerPulses, gpio.RisingEdges(pins.BuzzerPin));
        Assert.True(gpio.RisingEdges(level == AnnunciationLevel.High ? pins.RedPin : pins.YellowPin) >= 5, "the light flashes");
    }
}
