namespace EdgeTwin.Ingest.Mqtt;

using Microsoft.Extensions.Logging;

internal static partial class IngestLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Subscribed to {Host}:{Port} as shared group {Group}, prefix {Prefix}, client {ClientId}; storing in {Lanes} lane(s) of batches up to {BatchSize}, at most {Window} messages unacknowledged")]
    public static partial void Subscribed(ILogger logger, string host, int port, string group, string prefix, string clientId, int lanes, int batchSize, int window);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Broker {Host}:{Port} unavailable; retrying in {Delay}")]
    public static partial void BrokerUnavailable(ILogger logger, string host, int port, TimeSpan delay, Exception ex);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Ignored a message on {Topic}: not a PROTOCOL §2 gateway topic")]
    public static partial void BadTopic(ILogger logger, string topic);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Debug, Message = "Batch of {Count}: {Stored} stored, {Duplicates} duplicates, {Evidence} evidence, {Receipts} receipts")]
    public static partial void BatchStored(ILogger logger, int count, int stored, int duplicates, int evidence, int receipts);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Error, Message = "Storing a batch of {Count} failed; nothing acknowledged, retrying in {Delay}")]
    public static partial void StoreFailed(ILogger logger, int count, TimeSpan delay, Exception ex);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Acknowledging {Left} of {Count} committed messages failed (the connection went?); the broker or the gateway sends them again, stored once")]
    public static partial void AcknowledgeFailed(ILogger logger, int left, int count, Exception ex);

    [LoggerMessage(EventId = 7016, Level = LogLevel.Information, Message = "Not acknowledging {Skipped} of {Count} committed messages: they came in a broker session that has ended (a clean start after the connection went), and their packet ids may name other messages now; they are stored")]
    public static partial void AcknowledgementsOfAnEndedSession(ILogger logger, int skipped, int count);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "{Failed} of a committed batch's {Count} receipts not acknowledged by the broker within {Timeout} ({Reasons}); the batch is acknowledged all the same, and a receipt follows the gateway's resend of its records")]
    public static partial void ReceiptsNotAcknowledged(ILogger logger, int failed, int count, string reasons, TimeSpan timeout, Exception? ex);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "Publishing a {Kind} to {Topic} failed: {Reason} (deadline {Timeout}); asked again at the next look")]
    public static partial void PublishFailed(ILogger logger, string kind, string topic, string reason, TimeSpan timeout, Exception? ex);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Warning, Message = "Dropped {Count} QoS 0 messages on gateway topics since the last such line (the latest on {Topic}): records, statuses and twins are QoS 1 (PROTOCOL §2), and no receive window holds QoS 0 back")]
    public static partial void Qos0Dropped(ILogger logger, long count, string topic);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Information, Message = "Ingest key {Address} ({KeyFile}): enrol it on every gateway as Uplink:ReceiptSigners")]
    public static partial void Identity(ILogger logger, string address, string keyFile);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "Generated a new ingest key {Address} in {KeyFile} (mode 0600); give every worker of this ingest the same file and enrol the address on the gateways (Uplink:ReceiptSigners)")]
    public static partial void KeyGenerated(ILogger logger, string address, string keyFile);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Information, Message = "Asked {Gw} to re-send {Lane} {From}..{To} ({Reason})")]
    public static partial void ResendRequested(ILogger logger, string gw, string lane, long from, long to, string reason);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Error, Message = "Looking for what to ask gateways to re-send failed (the store unavailable?); looking again in {Interval}")]
    public static partial void ResendLookFailed(ILogger logger, TimeSpan interval, Exception ex);

    [LoggerMessage(EventId = 7015, Level = LogLevel.Error, Message = "The stored verifier state of {Gw} {Lane} epoch {Epoch} cannot be read ({Problem}); no re-send is asked for it and its records are refused until it is repaired (said again every hour while it lasts)")]
    public static partial void ChainStateUnreadable(ILogger logger, string gw, string lane, string epoch, string problem);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Error, Message = "The chain watchdog's scan (missing seqs, silent gateways) failed (the store unavailable?); scanning again in {Interval}")]
    public static partial void WatchdogScanFailed(ILogger logger, TimeSpan interval, Exception ex);

    [LoggerMessage(EventId = 7017, Level = LogLevel.Information, Message = "Signatures: recovered and made through {Implementation}")]
    public static partial void Secp256k1Native(ILogger logger, string implementation);

    [LoggerMessage(EventId = 7018, Level = LogLevel.Warning, Message = "Signatures: the native libsecp256k1 is not used ({Problem}); the managed implementation is, about four times slower to recover and eight to sign")]
    public static partial void Secp256k1Managed(ILogger logger, string problem);

    [LoggerMessage(EventId = 7019, Level = LogLevel.Error, Message = "Nothing came from the broker for {Quiet} though this worker had room for {Room} more messages and its probe on {Topic} was out: the broker has stopped delivering to this connection while it stays up; connecting again (what it held unacknowledged comes again with a lasting session, else from the gateways' re-sends)")]
    public static partial void ReceiveStalled(ILogger logger, TimeSpan quiet, int room, string topic);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Warning, Message = "The broker refused this worker the probe topic {Topic} ({Reason}): a connection that stays up but delivers nothing goes unnoticed; allow the ingest to read and write {Prefix}/ingest.probe/+ (deploy/mosquitto/acl) or set Ingest:ReceiveProbeInterval=0")]
    public static partial void ProbeRefused(ILogger logger, string topic, string reason, string prefix);

    [LoggerMessage(EventId = 7021, Level = LogLevel.Information, Message = "Nothing came from the broker for {Quiet} with a probe out, but all {Window} messages of this worker's receive window wait for their store: the store holds the broker back (flow control, see 7005 for a failing store), not a stalled connection")]
    public static partial void ProbeBehindAFullWindow(ILogger logger, TimeSpan quiet, int window);

    [LoggerMessage(EventId = 7022, Level = LogLevel.Warning, Message = "The verifier cache is full ({Capacity} gateways, Ingest:VerifierCacheGateways): let go of {Gw}, used longest ago ({Evicted} let go since the start). A gateway let go has its chains' stored states read and decoded again at its next batch, more CPU per record; set Ingest:VerifierCacheGateways to at least the gateways this ingest serves (up to about 15 KB each). Said again at most once an hour while it lasts")]
    public static partial void VerifierCacheFull(ILogger logger, int capacity, string gw, long evicted);
}
