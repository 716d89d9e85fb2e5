namespace EdgeTwin.Gateway.Chains;

using System.Text.Json.Nodes;
using EdgeTwin.Outbox;
using EdgeTwin.Telemetry.Chain;
using EdgeTwin.Telemetry.Records;

/// <summary>
/// Appends records to the gateway's chains. A record is durable after the next group commit
/// (at most <c>Outbox:CommitInterval</c>; alarms commit at once) and only then published.
/// Thread-safe. Throws <see cref="ArgumentException"/> for a body ETP/1 rejects; nothing is appended then.
/// </summary>
internal interface IRecordAppender
{
    /// <summary>Alarm lane; a checkpoint follows at once and the commit is not delayed.</summary>
    ChainRecord AppendAlarm(AlarmBody body);

    /// <summary>Telemetry lane: an operational fact for the audit trail (config applied, consent changed...).</summary>
    ChainRecord AppendEvent(string type, JsonObject? fields);

    /// <summary>
    /// Telemetry lane: one run of samples. Null when the outbox cannot take it (the disk is full):
    /// the run is counted, and the count is stated in a <c>storage-full</c> event when space returns.
    /// </summary>
    ChainRecord? AppendObs(ObsBody body, RecordClass recordClass);

    /// <summary>Telemetry lane: the runs of several streams of one device, compact (docs/protocol.md §4); null as <see cref="AppendObs"/>.</summary>
    ChainRecord? AppendObsCompact(CompactObsBody body, RecordClass recordClass);
}
