namespace EdgeTwin.Outbox.Tests;

using EdgeTwin.Telemetry.Records;

public class RetentionRequestsTests
{
    [Fact]
    public void CappedMove_LeavesTheRestForTheNextCommits_NoneLostNoneTwice()
    {
        var requests = new RetentionRequests();
        for (var seq = 0; seq < 5000; seq++)
        {
            requests.Delete(Lane.Telemetry, seq, 100);
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

    [Fact]
    public void Return_TakesBackWhatTheCommitDidNotApply_AndPendingBytesFollow()
    {
        var requests = new RetentionRequests();
        for (var seq = 0; seq < 10; seq++)
        {
            requests.Delete(Lane.Telemetry, seq, 100);
        }

        requests.DeleteThrough(Lane.Alarm, 7);
        Assert.Equal(1000, requests.PendingBytes(Lane.Telemetry));

        var batch = new OutboxBatch();
        requests.MoveTo(batch);
        Assert.Equal(0, requests.PendingBytes(Lane.Telemetry));

        batch.DeletesApplied = 6;
        batch.DeleteThroughLeft[Lane.Alarm] = 7;
        requests.Return(batch);
        Assert.Equal(400, requests.PendingBytes(Lane.Telemetry));

        var next = new OutboxBatch();
        requests.MoveTo(next);
        Assert.Equal([6L, 7, 8, 9], next.Delete.Select(d => d.Seq));
        Assert.Equal(7, next.DeleteThrough[Lane.Alarm]);
    }
}
