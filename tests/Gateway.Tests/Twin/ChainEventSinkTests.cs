namespace EdgeTwin.Gateway.Tests.Twin;

using System.Text.Json.Nodes;
using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Gateway.Tests.Support;
using EdgeTwin.Telemetry.Records;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

public class ChainEventSinkTests
{
    [Fact]
    public async Task AppendEvent_IsInTheOutboxWhenTheSinkReturns_SoTheTwinMayForgetIt()
    {
        using var temp = new TempDirectory();
        using var h = new BookHarness(temp.Path);
        var committer = new GroupCommitter(h.Book, [], h.Evictor(), h.Retention, h.Ledger, new StorageHealth(), Options.Create(h.Outbox), h.Time, h.Metrics,
            new StoppedLifetime(), NullLogger<GroupCommitter>.Instance);
        var sink = new ChainEventSink(h.Book, committer);

        // The commit loop is not running (as at start-up): the sink itself must make the event durable.
        await sink.AppendEventAsync("desired-applied", new JsonObject { ["version"] = 7 }, CancellationToken.None);

        var stored = h.Book.Store.Read(Lane.Telemetry, 0, long.MaxValue >> 16, 100);
        var evt = Assert.Single(stored, r => r.Kind == "event");
        Assert.Contains("\"type\":\"desired-applied\"", System.Text.Encoding.UTF8.GetString(evt.Payload), StringComparison.Ordinal);
        Assert.Equal(h.Book.Head(Lane.Telemetry).Seq, h.Book.Store.Heads[Lane.Telemetry].Seq);
    }

    private sealed class StoppedLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => throw new InvalidOperationException("the committer must not stop the application here");
    }
}
