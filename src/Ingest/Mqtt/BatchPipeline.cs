namespace EdgeTwin.Ingest.Mqtt;

using System.Threading.Channels;

/// <summary>
/// The worker's stages, each bounded: received messages wait in the inbox; the store stage takes
/// them in batches (parse, verify and store are one stage: the verifier's state comes from the chain
/// rows the batch's transaction locks) and hands each committed batch to the send stage (receipts,
/// then the PUBACKs), which runs beside it, so the next batch is stored while the last one's receipts
/// go out. A stage that does not keep up stops the one before it, and what the pipeline holds in all
/// is bounded by what the broker may send unacknowledged (the worker's Receive Maximum,
/// <see cref="FlowControl"/>): a slow database leaves the backlog at the broker rather than growing
/// the worker's memory.
/// </summary>
internal sealed class BatchPipeline<TItem, TResult>
{
    private readonly Channel<TItem> _inbox;
    private readonly Channel<(List<TItem> Batch, TResult Result)> _committed;
    private readonly int _batchSize;
    private readonly Func<List<TItem>, CancellationToken, Task<TResult>> _store;
    private readonly Func<List<TItem>, TResult, CancellationToken, Task> _send;

    public BatchPipeline(int inboxCapacity, int batchSize, int committedCapacity, Func<List<TItem>, CancellationToken, Task<TResult>> store, Func<List<TItem>, TResult, CancellationToken, Task> send)
    {
        _inbox = Channel.CreateBounded<TItem>(new BoundedChannelOptions(inboxCapacity) { SingleReader = true });
        _committed = Channel.CreateBounded<(List<TItem>, TResult)>(new BoundedChannelOptions(committedCapacity) { SingleReader = true, SingleWriter = true });
        _batchSize = batchSize;
        _store = store;
        _send = send;
    }

    /// <summary>Waits while the inbox is full (the worker sizes it to its receive window, so it never does there).</summary>
    public ValueTask EnqueueAsync(TItem item, CancellationToken ct) => _inbox.Writer.WriteAsync(item, ct);

    /// <summary>No more items: the stages finish what they hold and <see cref="RunAsync"/> completes.</summary>
    public void Complete() => _inbox.Writer.TryComplete();

    public Task RunAsync(CancellationToken ct) => Task.WhenAll(StoreLoopAsync(ct), SendLoopAsync(ct));

    private async Task StoreLoopAsync(CancellationToken ct)
    {
        try
        {
            while (await _inbox.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                var batch = new List<TItem>(Math.Min(_batchSize, _inbox.Reader.Count));
                while (batch.Count < _batchSize && _inbox.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                var result = await _store(batch, ct).ConfigureAwait(false);
                await _committed.Writer.WriteAsync((batch, result), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Unacknowledged messages are redelivered or resent by their gateway: nothing is lost.
        }
        finally
        {
            _committed.Writer.TryComplete();
        }
    }

    private async Task SendLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (batch, result) in _committed.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await _send(batch, result, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // What was committed stays committed; its PUBACK not sent means a harmless redelivery.
        }
    }
}
