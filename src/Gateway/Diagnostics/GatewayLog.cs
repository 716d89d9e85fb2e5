namespace EdgeTwin.Gateway.Diagnostics;

using Microsoft.Extensions.Logging;

/// <summary>Every log line of the gateway, with fixed event ids operators can filter on in journald.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(1000, LogLevel.Information, "Gateway {Gw} at site {Site}: key {Address}, data in {DataDirectory}")]
    public static partial void Started(ILogger logger, string gw, string site, string address, string dataDirectory);

    [LoggerMessage(1001, LogLevel.Warning, "Generated a new gateway key {Address} in {KeyFile} (mode 0600); enrol this address with the cloud")]
    public static partial void KeyGenerated(ILogger logger, string address, string keyFile);

    [LoggerMessage(1002, LogLevel.Warning, "Generated a new storage key in {KeyFile} (mode 0600); back it up: without it the outbox and the twin store cannot be read")]
    public static partial void StorageKeyGenerated(ILogger logger, string keyFile);

    [LoggerMessage(1003, LogLevel.Warning, "Gateway key rotation: the chains signed by {OldAddress} are sealed with a key-rotation event naming {NewAddress} ({Heads}); their undelivered records are delivered from the retired outbox")]
    public static partial void ChainsSealed(ILogger logger, string oldAddress, string newAddress, string heads);

    [LoggerMessage(1004, LogLevel.Warning, "Gateway key rotated: {KeyFile} now holds {Address}; enrol this address at the ingest (it follows the rotation meanwhile) and back the key up")]
    public static partial void KeyRotated(ILogger logger, string address, string keyFile);

    [LoggerMessage(1005, LogLevel.Information, "Retired outbox {Directory} ({Chains}): {Records} records still to deliver")]
    public static partial void RetiredOpened(ILogger logger, string directory, long records, string chains);

    [LoggerMessage(1006, LogLevel.Critical, "Retired outbox {Directory} cannot be opened ({Error}): the records it holds are NOT being delivered; it is left as found")]
    public static partial void RetiredUnreadable(ILogger logger, string directory, string error);

    [LoggerMessage(1007, LogLevel.Information, "Retired outbox {Directory} is delivered and removed")]
    public static partial void RetiredDelivered(ILogger logger, string directory);

    [LoggerMessage(1010, LogLevel.Information, "Lane {Lane}: resumed epoch {Epoch} at seq {Seq}")]
    public static partial void ChainResumed(ILogger logger, string lane, string epoch, long seq);

    [LoggerMessage(1011, LogLevel.Warning, "Lane {Lane}: new epoch {Epoch} ({Reason})")]
    public static partial void ChainStarted(ILogger logger, string lane, string epoch, string reason);

    [LoggerMessage(1095, LogLevel.Warning, "This LiteDB build lacks the internals FinalizerSafeLiteEngine reads: a commit that fails on a full disk may end the process minutes later (LiteDB #2828; docs/architecture.md)")]
    public static partial void LiteDbFinalizerGuardMissing(ILogger logger);

    [LoggerMessage(1020, LogLevel.Critical, "Outbox store could not be opened and was moved aside to {QuarantinedAs}: {Error}. A new epoch starts (store-corrupt).")]
    public static partial void StoreQuarantined(ILogger logger, string quarantinedAs, string error);

    [LoggerMessage(1021, LogLevel.Critical, "Outbox commit failed; stopping so that nothing unrecorded is published (the chain resumes from the last commit)")]
    public static partial void CommitFailed(ILogger logger, Exception exception);

    [LoggerMessage(1022, LogLevel.Warning, "Outbox over quota ({Bytes} of {Quota} bytes): evicted {Records} {What} records {From}..{To} behind a gap record ({Reason}; {Absorbed} earlier gap and checkpoint records absorbed)")]
    public static partial void Evicted(ILogger logger, long bytes, long quota, long records, string what, long from, long to, string reason, int absorbed);

    [LoggerMessage(1023, LogLevel.Information, "Final commit done: telemetry head {TelemetrySeq}, alarm head {AlarmSeq}")]
    public static partial void FinalCommit(ILogger logger, long telemetrySeq, long alarmSeq);

    [LoggerMessage(1024, LogLevel.Warning, "Store {File} was plain (written before encryption at rest) and is now encrypted with the storage key: {Documents} documents copied")]
    public static partial void StoreEncrypted(ILogger logger, string file, long documents);

    [LoggerMessage(1025, LogLevel.Error, "Outbox in {Directory} is full: a commit of {Records} records failed; alarms still sound, observations are counted instead of kept, the held records are committed when space returns")]
    public static partial void StorageFull(ILogger logger, string directory, int records, Exception exception);

    [LoggerMessage(1026, LogLevel.Warning, "Outbox takes records again after {Duration}: {Records} observation records ({Samples} samples) were not kept, stated in a storage-full event")]
    public static partial void StorageRecovered(ILogger logger, TimeSpan duration, long records, long samples);

    [LoggerMessage(1027, LogLevel.Warning, "Free space {Free} bytes is under the floor Outbox:MinFreeBytes {Floor}: evicted {Records} {What} records {From}..{To} behind a gap record ({Reason}; {Absorbed} earlier gap and checkpoint records absorbed)")]
    public static partial void EvictedForSpace(ILogger logger, long free, long floor, long records, string what, long from, long to, string reason, int absorbed);

    [LoggerMessage(1082, LogLevel.Error, "The {What} cannot be written to {Path} ({Reason}): kept in memory and written when the disk has room; until then nothing is stored or published")]
    public static partial void FirstStartFileDeferred(ILogger logger, string what, string path, string reason);

    [LoggerMessage(1080, LogLevel.Warning, "Released the storage reserve {File} ({Bytes} bytes): {Why}")]
    public static partial void ReserveReleased(ILogger logger, string file, long bytes, string why);

    [LoggerMessage(1081, LogLevel.Information, "Storage reserve {File} in place ({Bytes} bytes, given up to the outbox if the disk fills)")]
    public static partial void ReserveMade(ILogger logger, string file, long bytes);

    [LoggerMessage(1028, LogLevel.Error, "Twin store {Path} is full: {Operation} was not saved and is not in force")]
    public static partial void TwinStoreFull(ILogger logger, string path, string operation, Exception exception);

    [LoggerMessage(1030, LogLevel.Warning, "Sample observer {Observer} threw; the sample is still recorded")]
    public static partial void ObserverFailed(ILogger logger, string observer, Exception exception);

    [LoggerMessage(1031, LogLevel.Error, "Driver {Device} stopped with an error")]
    public static partial void DriverFailed(ILogger logger, string device, Exception exception);

    [LoggerMessage(1032, LogLevel.Error, "Could not record {Count} samples of {Device}/{Code}; recorded as an event")]
    public static partial void RecordRejected(ILogger logger, int count, string device, string code, Exception exception);

    [LoggerMessage(1033, LogLevel.Information, "Pipeline started with {Drivers} drivers")]
    public static partial void PipelineStarted(ILogger logger, int drivers);

    [LoggerMessage(1040, LogLevel.Information, "Uplink connected to {Broker} as {ClientId}")]
    public static partial void Connected(ILogger logger, string broker, string clientId);

    [LoggerMessage(1041, LogLevel.Warning, "Uplink to {Broker} failed ({Reason}); retrying in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, string broker, string reason, TimeSpan delay);

    [LoggerMessage(1042, LogLevel.Warning, "Uplink connection lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string reason);

    [LoggerMessage(1096, LogLevel.Warning, "Nothing came from the broker for {Quiet} while the uplink's probe on {Topic} was out: the broker has stopped delivering to this connection (receipts, desired state, alarm statuses) while it stays up; connecting again (the broker keeps the session and sends what it held)")]
    public static partial void ReceiveStalled(ILogger logger, TimeSpan quiet, string topic);

    [LoggerMessage(1097, LogLevel.Warning, "The broker refused the uplink's probe on {Topic} ({Reason}): a connection that stays up but delivers nothing goes unnoticed; allow this gateway to read and write its probe topic (deploy/mosquitto/acl: edgetwin/v1/gateway.probe/%u) or set Uplink:ReceiveProbeInterval=0")]
    public static partial void ProbeRefused(ILogger logger, string topic, string reason);

    [LoggerMessage(1043, LogLevel.Warning, "Receipt rejected, nothing deleted: {Problem} ({Suppressed} more rejections not logged since the last line)")]
    public static partial void ReceiptRejected(ILogger logger, string problem, long suppressed);

    [LoggerMessage(1048, LogLevel.Warning, "Dropped a QoS 0 message on {Topic}: what the cloud sends a gateway is QoS 1 (PROTOCOL §2), and no receive window holds QoS 0 back ({Suppressed} more not logged since the last line)")]
    public static partial void InboundQos0Dropped(ILogger logger, string topic, long suppressed);

    [LoggerMessage(1046, LogLevel.Warning, "Re-send request rejected, nothing sent: {Problem} ({Suppressed} more rejections not logged since the last line)")]
    public static partial void ResendRejected(ILogger logger, string problem, long suppressed);

    [LoggerMessage(1047, LogLevel.Information, "Re-sending {Lane} records {From}..{To} ({Reason}) ({Suppressed} more rounds not logged since the last line)")]
    public static partial void Resending(ILogger logger, string lane, long from, long to, string reason, long suppressed);

    [LoggerMessage(1044, LogLevel.Warning, "Stopped with {Records} records not yet acknowledged by the broker; they stay in the outbox")]
    public static partial void StopIncomplete(ILogger logger, long records);

    [LoggerMessage(1045, LogLevel.Warning, "Message handler for {Topic} threw")]
    public static partial void HandlerFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(1050, LogLevel.Information, "Embedded MQTT broker listening on 127.0.0.1:{Port}. Watch it: mosquitto_sub -V mqttv5 -h 127.0.0.1 -p {Port} -t '{Prefix}/#' -v  (or: edgetwin capture)")]
    public static partial void BrokerStarted(ILogger logger, int port, string prefix);
}
