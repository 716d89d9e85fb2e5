namespace EdgeTwin.Ingest.Tests.Processing;

using EdgeTwin.Ingest.Processing;

/// <summary>The worker's verifier cache lets go of the gateway used longest ago, one at a time, only when full.</summary>
public sealed class VerifierCacheTests
{
    private const string Address = "0x1111111111111111111111111111111111111111";
    private const string Other = "0x2222222222222222222222222222222222222222";

    [Fact]
    public void For_FullCache_LetsGoOfTheGatewayUsedLongestAgo_AndKeepsTheOthers()
    {
        var cache = new VerifierCache(2);
        var a = cache.For("gw-a", Address, out var none1);
        var b = cache.For("gw-b", Address, out var none2);
        Assert.Same(a, cache.For("gw-a", Address, out var none3));

        var c = cache.For("gw-c", Address, out var evicted);

        Assert.Equal((null, null, null), (none1, none2, none3));
        Assert.Equal("gw-b", evicted);
        Assert.Equal((2, 1L), (cache.Count, cache.Evicted));
        Assert.Same(a, cache.For("gw-a", Address, out var keptA));
        Assert.Same(c, cache.For("gw-c", Address, out var keptC));
        Assert.Equal((null, null), (keptA, keptC));

        // gw-b comes back as a new verifier (holding nothing: its states are imported), in place of gw-a,
        // now the one used longest ago.
        var b2 = cache.For("gw-b", Address, out var evictedAgain);
        Assert.NotSame(b, b2);
        Assert.Equal("gw-a", evictedAgain);
        Assert.Equal((2, 2L), (cache.Count, cache.Evicted));
    }

    [Fact]
    public void For_AnotherEnrolledAddress_GivesANewVerifier_WithoutLettingAnyGatewayGo()
    {
        var cache = new VerifierCache(2);
        var a = cache.For("gw-a", Address, out _);
        cache.For("gw-b", Address, out _);

        var renewed = cache.For("gw-a", Other, out var evicted);

        Assert.NotSame(a, renewed);
        Assert.Equal(Other, renewed.EnrolledAddress);
        Assert.Null(evicted);
        Assert.Equal((2, 0L), (cache.Count, cache.Evicted));
    }

    [Fact]
    public void Forget_DropsOnlyThatGateway_AndIsNoEviction()
    {
        var cache = new VerifierCache(2);
        var a = cache.For("gw-a", Address, out _);
        var b = cache.For("gw-b", Address, out _);

        cache.Forget("gw-a");
        cache.Forget("gw-unknown");

        Assert.Equal((1, 0L), (cache.Count, cache.Evicted));
        Assert.Same(b, cache.For("gw-b", Address, out _));
        Assert.NotSame(a, cache.For("gw-a", Address, out var evicted));
        Assert.Null(evicted);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Capacity_BelowOne_IsRefused(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VerifierCache(capacity));
}
