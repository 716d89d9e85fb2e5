namespace EdgeTwin.Gateway.Tests.Diagnostics;

using EdgeTwin.Hosting;
using Microsoft.Extensions.Time.Testing;

public sealed class LogThrottleTests
{
    [Fact]
    public void SameKeyWithinTheWindow_IsHeldBack_AndCountedOnTheNextLine()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(time, TimeSpan.FromMinutes(1));

        Assert.True(throttle.ShouldLog("forged", out var first));
        Assert.Equal(0, first);
        for (var i = 0; i < 999; i++)
        {
            Assert.False(throttle.ShouldLog("forged", out _));
        }

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(throttle.ShouldLog("forged", out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.ShouldLog("forged", out var held));
        Assert.Equal(1000, held);
    }

    [Fact]
    public void DifferentKeys_AreThrottledApart()
    {
        var throttle = new LogThrottle(new FakeTimeProvider(), TimeSpan.FromMinutes(1));
        Assert.True(throttle.ShouldLog("a", out _));
        Assert.True(throttle.ShouldLog("b", out _));
        Assert.False(throttle.ShouldLog("a", out _));
    }
}
