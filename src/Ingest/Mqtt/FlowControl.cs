namespace EdgeTwin.Ingest.Mqtt;

using EdgeTwin.Ingest.Options;

/// <summary>
/// What one worker holds received and not yet acknowledged, and so its memory for messages: its receive
/// window (<c>Ingest:ReceiveWindow</c>), advertised to the broker as the MQTT 5 Receive Maximum: the broker
/// sends no more QoS 1 messages while that many wait for their PUBACK, so a slow store leaves the backlog
/// in the broker's queue. Only the broker can stop: MQTTnet reads every packet it is sent into an
/// unbounded queue of its own, whether or not the receive callback waits. The store lanes take batches of
/// up to <c>Ingest:BatchSize</c> out of that window.
/// </summary>
internal static class FlowControl
{
    /// <summary>Committed batches waiting for the send stage (receipts, PUBACKs).</summary>
    public const int CommittedBatches = 2;

    /// <summary>
    /// The window, in batches, when only <c>Ingest:BatchSize</c> is set: two batches forming in the inbox
    /// while one is stored, the committed ones waiting and the one being sent.
    /// </summary>
    public const int WindowBatches = 2 + 1 + CommittedBatches + 1;

    /// <summary>The window of <see cref="WindowBatches"/> batches of <paramref name="batchSize"/>; MQTT caps it at 65,535, which the largest <c>Ingest:BatchSize</c> (10,000) keeps to.</summary>
    public static int ReceiveMaximum(int batchSize) => batchSize * WindowBatches;

    /// <summary>
    /// Messages this worker takes unacknowledged: <c>Ingest:ReceiveWindow</c>; unset, six batches when
    /// only <c>Ingest:BatchSize</c> is set (what that setting alone always meant), else
    /// <see cref="IngestOptions.DefaultReceiveWindow"/>.
    /// </summary>
    public static int ReceiveMaximum(IngestOptions options) =>
        options.ReceiveWindow ?? (options.BatchSize is { } batch ? ReceiveMaximum(batch) : IngestOptions.DefaultReceiveWindow);

    /// <summary>Most messages per store transaction: <c>Ingest:BatchSize</c>; unset, <see cref="IngestOptions.DefaultBatchSize"/> or the window if smaller.</summary>
    public static int BatchSize(IngestOptions options) =>
        options.BatchSize ?? Math.Min(IngestOptions.DefaultBatchSize, ReceiveMaximum(options));

    /// <summary>
    /// The inbox holds the whole window, so the receive callback never waits on it: what the broker
    /// sent is in the inbox, not in MQTTnet's queue, and the window alone bounds both.
    /// </summary>
    public static int InboxCapacity(IngestOptions options) => ReceiveMaximum(options);
}
