namespace EdgeTwin.Gateway.Tests.Outbox;

using EdgeTwin.Gateway.Outbox;
using EdgeTwin.Telemetry.Records;

public class RetentionRequestsTests
{
    [Fact]
    public void CappedMove_LeavesTheRestForTheNextCommits_NoneLostNoneTwice()
    {
        var requests = new RetentionRequests();
        for (var seq = 0; seq < 5000; seq++)
        {
            requests.Delete(Lane.Telemetry, seq);
        }

        requests.DeleteThrough(Lane.Alarm, 7);
        var batches = new List<OutboxBatch>();
        for (var i = 0; i < 4; i++)
        {
            var batch = new OutboxBatch();
            requests.MoveTo(batch, 2048);
            batches.Add(batch);
        }

        Assert.Equal([2048, 2048, 904, 0], batches.Select(b => b.Delete.Count));
        Assert.Equal(Enumerable.Range(0, 5000).Select(s => (long)s), batches.SelectMany(b => b.Delete).Select(d => d.Seq));
        Assert.Equal(7, batches[0].DeleteThrough[Lane.Alarm]);
        Assert.Empty(batches[1].DeleteThrough);
    }
}
