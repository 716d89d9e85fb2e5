namespace EdgeTwin.Ingest.Tests.Ward;

using EdgeTwin.Ingest.Ward;

public sealed class WardChangesTests
{
    [Fact]
    public void Notify_ReachesEveryOpenPageOncePerGateway_AndAClosedPageNoMore()
    {
        var changes = new WardChanges();
        using var a = changes.Subscribe()!;
        var b = changes.Subscribe()!;
        changes.Notify(["gw-1", "gw-2", "gw-1"]);
        b.Dispose();
        changes.Notify(["gw-3"]);

        Assert.Equal(1, changes.Subscribers);
        Assert.Equal(["gw-1", "gw-2", "gw-3"], Drain(a));
        Assert.Equal(["gw-1", "gw-2"], Drain(b));
        Assert.True(b.Reader.Completion.IsCompleted);
    }

    [Fact]
    public void APageThatDoesNotRead_LosesTheOldestNames_AndNeverBlocksTheIngest()
    {
        var changes = new WardChanges();
        using var page = changes.Subscribe()!;
        changes.Notify(Enumerable.Range(0, 1000).Select(i => $"gw-{i}"));

        var names = Drain(page);
        Assert.Equal(256, names.Count);
        Assert.Equal("gw-999", names[^1]);
    }

    [Fact]
    public void BeyondMaxSubscribers_NoFeed_UntilAPageCloses()
    {
        var changes = new WardChanges { MaxSubscribers = 2 };
        using var a = changes.Subscribe();
        var b = changes.Subscribe();

        Assert.Null(changes.Subscribe());
        b!.Dispose();
        using var c = changes.Subscribe();

        Assert.NotNull(c);
        Assert.Equal(2, changes.Subscribers);
    }

    private static List<string> Drain(WardChanges.Subscription s)
    {
        var list = new List<string>();
        while (s.Reader.TryRead(out var gw))
        {
            list.Add(gw);
        }

        return list;
    }
}
