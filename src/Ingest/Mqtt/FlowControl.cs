namespace EdgeTwin.Ingest.Mqtt;

/// <summary>
/// What one worker holds received and not yet acknowledged, and so its memory for messages, counted
/// in batches of <c>Ingest:BatchSize</c> and advertised to the broker as the MQTT 5 Receive Maximum:
/// the broker sends no more QoS 1 messages while that many wait for their PUBACK, so a slow store
/// leaves the backlog in the broker's queue. Only the broker can stop: MQTTnet reads every packet it
/// is sent into an unbounded queue of its own, whether or not the receive callback waits.
/// </summary>
internal static class FlowControl
{
    /// <summary>Committed batches waiting for the send stage (receipts, PUBACKs).</summary>
    public const int CommittedBatches = 2;

    /// <summary>
    /// Two batches forming in the inbox while one is stored, the committed ones waiting and the one
    /// being sent: the store stage always finds a full batch while the acknowledgements of the last
    /// ones are on their way back to the broker.
    /// </summary>
    public const int WindowBatches = 2 + 1 + CommittedBatches + 1;

    /// <summary>
    /// Messages this worker takes unacknowledged: several whole batches, so a batch always fills. MQTT
    /// caps it at 65,535, which the largest <c>Ingest:BatchSize</c> (10,000) keeps to.
    /// </summary>
    public static int ReceiveMaximum(int batchSize) => batchSize * WindowBatches;

    /// <summary>
    /// The inbox holds the whole window, so the receive callback never waits on it: what the broker
    /// sent is in the inbox, not in MQTTnet's queue, and the window alone bounds both.
    /// </summary>
    public static int InboxCapacity(int batchSize) => ReceiveMaximum(batchSize);
}
