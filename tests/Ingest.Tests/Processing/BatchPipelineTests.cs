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
        var pipeline = new BatchPipeline<int, string>(16, 2, 1, 1, _ => string.Empty,
            (batch, _) =>
            {
                stored.Add([.. batch]);
                return Task.FromResult($"r{batch[0]}");
            },
            async (batch, result, _) =>
            {
                sending.TrySetResult([.. batch]);
                await sendGate.Task;
            },
            (_, _) => Task.CompletedTask);
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
        var pipeline = new BatchPipeline<int, int>(2, 1, 1, 1, _ => string.Empty,
            (batch, _) =>
            {
                storedBatches.Add(batch[0]);
                return Task.FromResult(batch[0] * 10);
            },
            async (batch, result, _) =>
            {
                await sendGate.Task;
                sent.Enqueue(result);
            },
            (_, _) => Task.CompletedTask);
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
        var pipeline = new BatchPipeline<int, int>(4, 4, 1, 1, _ => string.Empty,
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
            },
            (_, _) => Task.CompletedTask);
        using var cts = new CancellationTokenSource();
        var run = pipeline.RunAsync(cts.Token);
        await pipeline.EnqueueAsync(1, CancellationToken.None);
        await storeEntered.Task.WaitAsync(Timeout);

        await cts.CancelAsync();
        await run.WaitAsync(Timeout);
        Assert.Empty(sent);
    }

    [Fact]
    public async Task TwoLanes_OneStoresWhileTheOtherWaits_ButNoMessageIsAcknowledgedBeforeOneReceivedEarlier()
    {
        var (slow, fast) = KeysOnTwoLanes();
        var slowGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fastSent = new TaskCompletionSource<List<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var acknowledged = new ConcurrentQueue<string>();
        var acknowledgedAll = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new BatchPipeline<string, int>(16, 4, 2, 2, item => item.Split('#')[0],
            async (batch, _) =>
            {
                if (batch[0].StartsWith(slow, StringComparison.Ordinal))
                {
                    slowEntered.TrySetResult();
                    await slowGate.Task; // the database is slow for this lane's transaction
                }

                return batch.Count;
            },
            (batch, _, _) =>
            {
                if (batch[0].StartsWith(fast, StringComparison.Ordinal))
                {
                    fastSent.TrySetResult(batch);
                }

                return Task.CompletedTask;
            },
            (inOrder, _) =>
            {
                foreach (var item in inOrder)
                {
                    acknowledged.Enqueue(item);
                }

                if (acknowledged.Count == 3)
                {
                    acknowledgedAll.TrySetResult();
                }

                return Task.CompletedTask;
            });
        using var cts = new CancellationTokenSource(Timeout);
        var run = pipeline.RunAsync(cts.Token);

        await pipeline.EnqueueAsync($"{slow}#1", cts.Token);
        await slowEntered.Task.WaitAsync(Timeout);
        await pipeline.EnqueueAsync($"{fast}#1", cts.Token);
        await pipeline.EnqueueAsync($"{fast}#2", cts.Token);

        // The other lane stored and sent its batch while the first waits for its commit...
        Assert.Equal([$"{fast}#1", $"{fast}#2"], await fastSent.Task.WaitAsync(Timeout));
        // ...and nothing is acknowledged: the first message received is not committed yet.
        Assert.Empty(acknowledged);

        slowGate.SetResult();
        await acknowledgedAll.Task.WaitAsync(Timeout);
        Assert.Equal([$"{slow}#1", $"{fast}#1", $"{fast}#2"], acknowledged);
        pipeline.Complete();
        await run.WaitAsync(Timeout);
    }

    [Fact]
    public async Task ThreeLanes_AKeyIsNeverInTwoStoresAtOnce_EachKeyStoredInOrder_EveryItemAcknowledgedOnceInTheOrderReceived()
    {
        var active = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var overlaps = 0;
        var storedByKey = new ConcurrentDictionary<string, ConcurrentQueue<int>>(StringComparer.Ordinal);
        var acknowledged = new ConcurrentQueue<string>();
        var items = Enumerable.Range(0, 600).Select(i => $"gw{i % 7}#{i}").ToList();
        var pipeline = new BatchPipeline<string, int>(items.Count, 8, 2, 3, item => item.Split('#')[0],
            async (batch, _) =>
            {
                var keys = batch.Select(i => i.Split('#')[0]).Distinct().ToList();
                foreach (var k in keys)
                {
                    if (active.AddOrUpdate(k, 1, (_, n) => n + 1) > 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }
                }

                await Task.Yield(); // another lane may run now
                foreach (var item in batch)
                {
                    var parts = item.Split('#');
                    storedByKey.GetOrAdd(parts[0], _ => new ConcurrentQueue<int>()).Enqueue(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                }

                foreach (var k in keys)
                {
                    active.AddOrUpdate(k, 0, (_, n) => n - 1);
                }

                return batch.Count;
            },
            (_, _, _) => Task.CompletedTask,
            (inOrder, _) =>
            {
                foreach (var item in inOrder)
                {
                    acknowledged.Enqueue(item);
                }

                return Task.CompletedTask;
            });
        using var cts = new CancellationTokenSource(Timeout);
        var run = pipeline.RunAsync(cts.Token);
        foreach (var item in items)
        {
            await pipeline.EnqueueAsync(item, cts.Token);
        }

        pipeline.Complete();
        await run.WaitAsync(Timeout);

        Assert.Equal(0, overlaps);
        Assert.Equal(items, acknowledged);
        foreach (var (key, stored) in storedByKey)
        {
            Assert.Equal(items.Where(i => i.StartsWith(key + "#", StringComparison.Ordinal)).Select(i => int.Parse(i.Split('#')[1], System.Globalization.CultureInfo.InvariantCulture)), stored);
        }

        Assert.Equal(7, storedByKey.Count);
    }

    [Fact]
    public void LaneOf_IsTheSameForAKeyEveryTime_WithinRange_AndSpreadsManyKeys()
    {
        var keys = Enumerable.Range(0, 1000).Select(i => $"bed-gateway-{i}").ToList();
        foreach (var lanes in new[] { 1, 2, 3, 8 })
        {
            var counts = new int[lanes];
            foreach (var k in keys)
            {
                var lane = BatchPipeline<string, int>.LaneOf(k, lanes);
                Assert.InRange(lane, 0, lanes - 1);
                Assert.Equal(lane, BatchPipeline<string, int>.LaneOf(new string(k.ToCharArray()), lanes));
                counts[lane]++;
            }

            // A fair share give or take a third: no lane is left out or takes most.
            Assert.All(counts, c => Assert.InRange(c, 1000 / lanes * 2 / 3, 1000 / lanes * 4 / 3));
        }
    }

    /// <summary>Two keys that go to different lanes of two.</summary>
    private static (string, string) KeysOnTwoLanes()
    {
        var first = "gw-a";
        var second = Enumerable.Range(0, 100).Select(i => $"gw-{i}").First(k => BatchPipeline<string, int>.LaneOf(k, 2) != BatchPipeline<string, int>.LaneOf(first, 2));
        return (first, second);
    }

    [Fact]
    public async Task AnItemOnlyToAcknowledge_WaitsForEveryItemReceivedBeforeIt_AndGoesAtOnceWhenNoneWaits()
    {
        var storeGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var storing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acknowledged = new BlockingCollection<List<int>>();
        var stored = new ConcurrentQueue<int>();
        var pipeline = new BatchPipeline<int, string>(16, 4, 1, 1, _ => string.Empty,
            async (batch, _) =>
            {
                storing.TrySetResult();
                await storeGate.Task;
                foreach (var i in batch)
                {
                    stored.Enqueue(i);
                }

                return "r";
            },
            (_, _, _) => Task.CompletedTask,
            (items, _) =>
            {
                acknowledged.Add([.. items]);
                return Task.CompletedTask;
            });
        using var cts = new CancellationTokenSource(Timeout);
        var run = pipeline.RunAsync(cts.Token);

        // Nothing waits: acknowledged at once, never stored.
        pipeline.EnqueueDone(100);
        Assert.True(acknowledged.TryTake(out var alone, Timeout));
        Assert.Equal([100], alone);

        // Behind a batch still being stored: acknowledged with it, after it, in the order received.
        await pipeline.EnqueueAsync(1, cts.Token);
        await storing.Task.WaitAsync(Timeout);
        pipeline.EnqueueDone(101);
        await pipeline.EnqueueAsync(2, cts.Token);
        Assert.False(acknowledged.TryTake(out _, TimeSpan.Zero));
        storeGate.SetResult();
        var after = new List<int>();
        while (after.Count < 3 && acknowledged.TryTake(out var some, Timeout))
        {
            after.AddRange(some);
        }

        Assert.Equal([1, 101, 2], after);
        Assert.Equal([1, 2], stored.ToArray());
        pipeline.Complete();
        await run.WaitAsync(Timeout);
    }

    // Only a bound on a failing test: every wait here ends on a signal.
    private static TimeSpan Timeout => TimeSpan.FromSeconds(30);
}
