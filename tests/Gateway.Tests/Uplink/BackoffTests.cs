namespace EdgeTwin.Gateway.Tests.Uplink;

using EdgeTwin.Gateway.Uplink;

public class BackoffTests
{
    [Theory]
    [InlineData(0, 500, 1000)]
    [InlineData(1, 1000, 2000)]
    [InlineData(3, 4000, 8000)]
    [InlineData(10, 15000, 30000)]
    [InlineData(40, 15000, 30000)]
    public void Delay_GrowsExponentially_WithJitter_CappedAtMax(int attempt, double minMs, double maxMs)
    {
        var random = new Random(42);
        var delays = Enumerable.Range(0, 200).Select(_ => Backoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), random).TotalMilliseconds).ToList();
        Assert.All(delays, d => Assert.InRange(d, minMs, maxMs));
        Assert.True(delays.Distinct().Count() > 100, "jitter spreads reconnects");
    }
}
