namespace EdgeTwin.Ingest.Tests.Resend;

using EdgeTwin.Ingest.Resend;
using EdgeTwin.Ingest.Storage;
using Microsoft.Extensions.Time.Testing;

/// <summary>
/// Log 7015 (a chain whose stored verifier state cannot be read, left out of the re-send requests):
/// told when first seen and then once an hour while it lasts, not at every look (every 10 s).
/// </summary>
public sealed class UnreadableChainNoticesTests
{
    private static readonly ChainId Broken = new("gw-1", "telemetry", "0123456789abcdef0123456789abcdef");
    private static readonly ChainId Other = new("gw-2", "telemetry", "fedcba9876543210fedcba9876543210");

    [Fact]
    public void AChainStillUnreadable_IsToldAtTheFirstLook_ThenOnceAnHour_NotAtEveryLook()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        var notices = new UnreadableChainNotices(time);
        var told = new List<bool>();
        for (var look = 0; look < 361; look++)
        {
            // 361 looks 10 s apart: the first at 12:00:00, the last at 13:00:00.
            told.Add(notices.ShouldTell(Broken));
            notices.EndLook();
            time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal([0, 360], told.Select((t, i) => (t, i)).Where(x => x.t).Select(x => x.i));
    }

    [Fact]
    public void AChainRepairedAndBrokenAgain_IsToldAtOnce_AnotherChainOnItsOwn()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        var notices = new UnreadableChainNotices(time);
        Assert.True(notices.ShouldTell(Broken));
        notices.EndLook();

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(notices.ShouldTell(Other));
        Assert.False(notices.ShouldTell(Broken));
        notices.EndLook();

        // Repaired: a look without it; broken again at the next look: told although the hour is not over.
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(notices.ShouldTell(Other));
        notices.EndLook();
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(notices.ShouldTell(Broken));
        Assert.False(notices.ShouldTell(Other));
        notices.EndLook();
    }
}
