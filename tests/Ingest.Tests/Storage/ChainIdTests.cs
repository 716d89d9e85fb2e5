namespace EdgeTwin.Ingest.Tests.Storage;

using EdgeTwin.Ingest.Storage;

/// <summary>A chain's id keys every set and dictionary of a batch: equal exactly when its three members are, whatever strings hold them.</summary>
public sealed class ChainIdTests
{
    private static string Copy(string s) => new(s.AsSpan());

    [Fact]
    public void TheSameMembers_InOtherStrings_AreEqual_WithOneHash_AndFindEachOther()
    {
        var a = new ChainId("ward7-bed-3", "telemetry", "01JEPOCHAAAAAAAAAAAAAAAAAA");
        var b = new ChainId(Copy("ward7-bed-3"), Copy("telemetry"), Copy("01JEPOCHAAAAAAAAAAAAAAAAAA"));

        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(0, a.CompareTo(b));
        Assert.Contains(b, new HashSet<ChainId> { a });
        Assert.Contains((b, 7L), new HashSet<(ChainId, long)> { (a, 7L) });
        Assert.Equal(("ward7-bed-3", "telemetry", "01JEPOCHAAAAAAAAAAAAAAAAAA"), (b.Gw, b.Lane, b.Epoch));
    }

    [Theory]
    [InlineData("ward7-bed-4", "telemetry", "e1")]
    [InlineData("ward7-bed-3", "alarm", "e1")]
    [InlineData("ward7-bed-3", "telemetry", "e2")]
    [InlineData("WARD7-BED-3", "telemetry", "e1")]
    [InlineData("ward7-bed-3telemetry", "", "e1")]
    public void AnyMemberDifferent_IsAnotherChain(string gw, string lane, string epoch)
    {
        var a = new ChainId("ward7-bed-3", "telemetry", "e1");
        var other = new ChainId(gw, lane, epoch);

        Assert.False(a == other);
        Assert.NotEqual(0, a.CompareTo(other));
        Assert.DoesNotContain(other, new HashSet<ChainId> { a });
    }
}
