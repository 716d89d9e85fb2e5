namespace EdgeTwin.Ingest.Mqtt;

using System.Threading.Channels;

/// <summary>
/// The worker's stages, each bounded: received messages wait in the inbox of their store lane; each
/// lane takes them in batches (parse, verify and store are one step: the verifier's state comes from
/// the chain rows the batch's transaction locks) and hands each committed batch to the send stage
/// (receipts, then the PUBACKs), which runs beside the lanes, so the next batches are stored while the
/// last one's receipts go out. A stage that does not keep up stops the one before it, and what the
/// pipeline holds in all is bounded by what the broker may send unacknowledged (the worker's Receive
/// Maximum, <see cref="FlowControl"/>): a slow database leaves the backlog at the broker rather than
/// growing the worker's memory.
/// <para>
/// Lanes (<c>Ingest:StoreLanes</c>): a message goes to the lane of its key (the gateway), always the
/// same one, so one gateway's messages are stored in the order received and never by two lanes at
/// once; the lanes' transactions run side by side, one lane verifying while another waits for the
/// database. The PUBACKs still go in the order the messages were received (MQTT 5 §4.6): a message is
/// acknowledged once it and every message received before it are committed and their receipts sent.
/// </para>
/// </summary>
internal sealed class BatchPipeline<TItem, TResult>
{
    private readonly Channel<Slot>[] _lanes;
    private readonly Channel<(List<Slot> Slots, List<TItem> Items, TResult Result)> _committed;
    private readonly int _batchSize;
    private readonly Func<TItem, string> _keyOf;
    private readonly Func<List<TItem>, CancellationToken, Task<TResult>> _store;
    private readonly Func<List<TItem>, TResult, CancellationToken, Task> _send;
    private readonly Func<List<TItem>, CancellationToken, Task> _acknowledge;

    // Every item received and not yet handed to acknowledge, in the order received.
    private readonly Queue<Slot> _received = new();
    private readonly Lock _receivedGate = new();

    /// <param name="inboxCapacity">Items each lane's inbox holds (the worker's whole receive window, so receiving never waits on it).</param>
    /// <param name="batchSize">Most items one lane stores at once.</param>
    /// <param name="committedCapacity">Committed batches waiting for the send stage.</param>
    /// <param name="lanes">Store lanes, 1 or more.</param>
    /// <param name="keyOf">An item's key: items of one key go to one lane (<see cref="LaneOf"/>).</param>
    /// <param name="store">Stores a batch of one lane; lanes call it side by side, never with one key in two calls at once.</param>
    /// <param name="send">What follows a batch's commit (receipts), one batch at a time, in the order lanes committed.</param>
    /// <param name="acknowledge">Acknowledges items in the order received: each once, after its batch's send and every earlier item's.</param>
    public BatchPipeline(int inboxCapacity, int batchSize, int committedCapacity, int lanes, Func<TItem, string> keyOf,
        Func<List<TItem>, CancellationToken, Task<TResult>> store, Func<List<TItem>, TResult, CancellationToken, Task> send, Func<List<TItem>, CancellationToken, Task> acknowledge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        _lanes = new Channel<Slot>[lanes];
        for (var i = 0; i < lanes; i++)
        {
            _lanes[i] = Channel.CreateBounded<Slot>(new BoundedChannelOptions(inboxCapacity) { SingleReader = true });
        }

        // Written by the lanes and by EnqueueDone's wake-ups.
        _committed = Channel.CreateBounded<(List<Slot>, List<TItem>, TResult)>(new BoundedChannelOptions(committedCapacity) { SingleReader = true });
        _batchSize = batchSize;
        _keyOf = keyOf;
        _store = store;
        _send = send;
        _acknowledge = acknowledge;
    }

    /// <summary>
    /// The lane of a key among <paramref name="lanes"/>: FNV-1a over its characters, the same in every
    /// run (a process's string hashes are randomised), so a lane's share does not change from run to run.
    /// </summary>
    public static int LaneOf(string key, int lanes)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)lanes);
    }

    /// <summary>Waits while the lane's inbox is full (the worker sizes it to its receive window, so it never does there).</summary>
    public ValueTask EnqueueAsync(TItem item, CancellationToken ct)
    {
        var slot = new Slot(item);
        var lane = _lanes[_lanes.Length == 1 ? 0 : LaneOf(_keyOf(item), _lanes.Length)];
        lock (_receivedGate)
        {
            // In the order received and in the lane in one step (the worker receives one message at a time:
            // MQTTnet calls its receive callback for the next message once the last call returned).
            _received.Enqueue(slot);
            if (lane.Writer.TryWrite(slot))
            {
                return ValueTask.CompletedTask;
            }
        }

        return lane.Writer.WriteAsync(slot, ct);
    }

    /// <summary>
    /// An item that is not stored, only acknowledged in its place in the order received (the worker's
    /// own probe): once every item received before it is acknowledged, and at once when none waits.
    /// </summary>
    public void EnqueueDone(TItem item)
    {
        lock (_receivedGate)
        {
            _received.Enqueue(new Slot(item) { Done = true });
        }

        // Wakes the send stage, which otherwise looks at what is ready only after a batch's commit; when
        // the channel is full, the batches in it are that wake-up.
        _committed.Writer.TryWrite(([], [], default!));
    }

    /// <summary>No more items: the stages finish what they hold and <see cref="RunAsync"/> completes.</summary>
    public void Complete()
    {
        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }
    }

    public Task RunAsync(CancellationToken ct) => Task.WhenAll(LanesAsync(ct), SendLoopAsync(ct));

    private async Task LanesAsync(CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(_lanes.Select(lane => Task.Run(() => LaneLoopAsync(lane, ct), CancellationToken.None))).ConfigureAwait(false);
        }
        finally
        {
            _committed.Writer.TryComplete();
        }
    }

    private async Task LaneLoopAsync(Channel<Slot> lane, CancellationToken ct)
    {
        try
        {
            while (await lane.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                var batch = new List<Slot>(Math.Min(_batchSize, lane.Reader.Count));
                while (batch.Count < _batchSize && lane.Reader.TryRead(out var slot))
                {
                    batch.Add(slot);
                }

                var items = batch.ConvertAll(s => s.Item);
                var result = await _store(items, ct).ConfigureAwait(false);
                await _committed.Writer.WriteAsync((batch, items, result), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Unacknowledged messages are redelivered or resent by their gateway: nothing is lost.
        }
    }

    private async Task SendLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (slots, items, result) in _committed.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (slots.Count > 0)
                {
                    await _send(items, result, ct).ConfigureAwait(false);
                }

                foreach (var slot in slots)
                {
                    slot.Done = true;
                }

                var ready = new List<TItem>();
                lock (_receivedGate)
                {
                    while (_received.TryPeek(out var first) && first.Done)
                    {
                        ready.Add(_received.Dequeue().Item);
                    }
                }

                if (ready.Count > 0)
                {
                    await _acknowledge(ready, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // What was committed stays committed; its PUBACK not sent means a harmless redelivery.
        }
    }

    private sealed class Slot(TItem item)
    {
        public TItem Item { get; } = item;

        // Written and read by the send loop only (an EnqueueDone slot is made done before anyone sees it).
        public bool Done { get; set; }
    }
}
