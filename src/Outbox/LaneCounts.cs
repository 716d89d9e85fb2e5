namespace EdgeTwin.Outbox;

/// <summary>
/// What a lane's chain holds, counted as it was committed: the <c>obs</c> and <c>obs-compact</c> records and their samples
/// among seqs <see cref="FromSeq"/>..<see cref="ThroughSeq"/> of epoch <see cref="Epoch"/> (the
/// committed head). Written in the same transaction as the records it counts, so a crash or power
/// cut never leaves it disagreeing with the chain. <see cref="FromSeq"/> is 0 for a chain counted
/// from its genesis; a store written before counts were kept counts from the seq after the head it
/// held then. Records deleted after delivery stay counted: this is what was chained, not what is held.
/// </summary>
public readonly record struct LaneCounts(string Epoch, long FromSeq, long ThroughSeq, long ObsRecords, long Samples)
{
    /// <summary>The counts after one more record <paramref name="record"/> of this lane's chain.</summary>
    public LaneCounts Add(StoredRecord record) => this with
    {
        ThroughSeq = record.Seq,
        ObsRecords = ObsRecords + (EdgeTwin.Telemetry.Records.RecordKinds.CarriesSamples(record.Kind) ? 1 : 0),
        Samples = Samples + record.Samples,
    };
}
