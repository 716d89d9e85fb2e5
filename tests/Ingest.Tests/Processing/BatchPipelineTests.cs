namespace EdgeTwin.Ingest.Tests.Processing;

using System.Collections.Concurrent;
using EdgeTwin.Ingest.Mqtt;

/// <summary>
/// The worker's stages (<see cref="BatchPipeline{TItem, TResult}"/>) with in-process stages that
/// signal when they are entered and wait on gates the test opens: no timing.
/// </summary>
public sealed class BatchPipelineTests
{
    [Fact]
    public async Task TheNextBatchIsStored_WhileThePreviousBatchsReceiptsAreStillGoingOut()
    {
        var sendGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sending = new TaskCompletionSource<List<int>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stored = new BlockingCollection<List<int>>();
        var pipeline = new BatchPipeline<int, string>(16, 2, 1,
            (batch, _) =>
            {
                stored.Add([.. batch]);
                return Task.FromResult($"r{batch[0]}");
            },
            async (batch, result, _) =>
            {
                sending.TrySetResult([.. batch]);
                await sendGate.Task;
            });
        using var cts = new CancellationTokenSource(Timeout);
        var run = pipeline.RunAsync(cts.Token);

        await pipeline.EnqueueAsync(1, cts.Token);
        await pipeline.EnqueueAsync(2, cts.Token);
        Assert.Equal([1, 2], await sending.Task.WaitAsync(Timeout));

        // The first batch's send has not finished; the next batch is stored all the same.
        await pipeline.EnqueueAsync(3, cts.Token);
        Assert.True(stored.TryTake(out var first, Timeout));
        Assert.True(stored.TryTake(out var second, Timeout));
        Assert.Equal([[1, 2], [3]], [first, second]);
        Assert.False(sendGate.Task.IsCompleted);

        sendGate.SetResult();
        pipeline.Complete();
        await run.WaitAsync(Timeout);
    }

    [Fact]
    public async Task ASendStageThatDoesNotKeepUp_HoldsBackTheStoreStage_ThenTheInbox_AndNothingIsLostOrReordered()
    {
        var sendGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var storedBatches = new BlockingCollection<int>();
        var sent = new ConcurrentQueue<int>();
        // One item per batch, one committed batch waiting at most, two items in the inbox at most.
        var pipeline = new BatchPipeline<int, int>(2, 1, 1,
            (batch, _) =>
            {
                storedBatches.Add(batch[0]);
                return Task.FromResult(batch[0] * 10);
            },
            async (batch, result, _) =>
            {
                await sendGate.Task;
                sent.Enqueue(result);
            });
        using var cts = new CancellationTokenSource(Timeout);
        var run = pipeline.RunAsync(cts.Token);

        // 1 is being sent (held), 2 waits committed, 3 is stored and its hand-over waits: the store stage stops.
        foreach (var i in new[] { 1, 2, 3 })
        {
            await pipeline.EnqueueAsync(i, cts.Token);
            Assert.True(storedBatches.TryTake(out var s, Timeout));
            Assert.Equal(i, s);
        }

        // The inbox takes two more, and then the receiver has to wait.
        await pipeline.EnqueueAsync(4, cts.Token);
        await pipeline.EnqueueAsync(5, cts.Token);
        var sixth = pipeline.EnqueueAsync(6, cts.Token).AsTask();
        Assert.False(sixth.IsCompleted);
        Assert.Empty(sent);
        Assert.Empty(storedBatches);

        sendGate.SetResult();
        await sixth.WaitAsync(Timeout);
        pipeline.Complete();
        await run.WaitAsync(Timeout);
        Assert.Equal([10, 20, 30, 40, 50, 60], sent);
    }

    [Fact]
    public async Task Stopping_EndsBothStages_WithoutSendingWhatIsNotStored()
    {
        var storeEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new ConcurrentQueue<int>();
        var pipeline = new BatchPipeline<int, int>(4, 4, 1,
            async (batch, ct) =>
            {
                storeEntered.TrySetResult();
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct); // a store that never commits
                return 0;
            },
            (batch, result, _) =>
            {
                sent.Enqueue(result);
                return Task.CompletedTask;
            });
        using var cts = new CancellationTokenSource();
        var run = pipeline.RunAsync(cts.Token);
        await pipeline.EnqueueAsync(1, CancellationToken.None);
        await storeEntered.Task.WaitAsync(Timeout);

        await cts.CancelAsync();
        await run.WaitAsync(Timeout);
        Assert.Empty(sent);
    }

    // Only a bound on a failing test: every wait here ends on a signal.
    private static TimeSpan Timeout => TimeSpan.FromSeconds(30);
}
