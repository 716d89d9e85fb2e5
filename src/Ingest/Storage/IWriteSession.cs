namespace EdgeTwin.Ingest.Storage;

/// <summary>The inside of one <c>IIngestStore.WriteAsync</c> transaction.</summary>
internal interface IWriteSession
{
    /// <summary>The locked row of a chain named in the call (a fresh one when it was new).</summary>
    ChainRow Chain(ChainId id);

    void SetChain(ChainRow row);

    /// <summary>
    /// Says which records the transaction may insert and which gateways' rows it will read, so a store
    /// can find out at once which records are stored already and take the others in bulk, and lock and
    /// read the gateway rows together (PostgreSQL: one round trip, then one COPY before the next read of
    /// records or the commit). A hint: <see cref="TryInsertRecordAsync"/> and <see cref="GatewayAsync"/>
    /// answer the same without it.
    /// </summary>
    Task PrepareAsync(IReadOnlyCollection<(ChainId Chain, long Seq)> keys, IReadOnlyCollection<string> gateways);

    /// <summary>False when a record with this (gw, lane, epoch, seq) is already stored; nothing changes then.</summary>
    Task<bool> TryInsertRecordAsync(RecordRow record);

    Task<IReadOnlyList<RecordRow>> RecordsAsync(ChainId chain, long fromSeq, long toSeq);

    Task AddEvidenceAsync(EvidenceRow evidence);

    /// <summary>Seq to hash of the records stored for a chain in [fromSeq, toSeq].</summary>
    Task<IReadOnlyDictionary<long, string>> StoredHashesAsync(ChainId chain, long fromSeq, long toSeq);

    /// <summary>
    /// Says which ranges of stored hashes the transaction is about to look up (the seqs each chain's
    /// conclusion confirms), so a store can read them all at once (PostgreSQL: one round trip for the
    /// batch instead of one per chain). A hint: <see cref="StoredHashesAsync"/> answers the same
    /// without it, and what the transaction writes afterwards is in its answers.
    /// </summary>
    Task PrefetchStoredHashesAsync(IReadOnlyCollection<(ChainId Chain, long FromSeq, long ToSeq)> ranges);

    /// <summary>A fork variant kept as evidence: same chain and seq, this hash.</summary>
    Task<EvidenceRow?> FindVariantAsync(ChainId chain, long seq, string hash);

    /// <summary>Puts this record at its seq, replacing whatever was stored there.</summary>
    Task ReplaceRecordAsync(RecordRow record);

    Task DeleteRecordsAsync(ChainId chain);

    /// <summary>Takes the record stored at this seq out of the chain's records (the caller keeps it as evidence first); nothing when none is stored.</summary>
    Task DeleteRecordAsync(ChainId chain, long seq);

    Task AddAlertAsync(AlertRow alert);

    /// <summary>Adds the stored checkpoint records of a chain with seq in [fromSeq, toSeq] to the anchoring leaf log (issue 17), in seq order; one already there is left alone.</summary>
    Task AddAnchorLeavesAsync(ChainId chain, long fromSeq, long toSeq);

    /// <summary>The gateway's row, locked until the transaction ends; null when it has none yet.</summary>
    Task<GatewayRow?> GatewayAsync(string gw);

    Task SetGatewayAsync(GatewayRow row);

    /// <summary>The open ACM alarm of this gateway with this key (patient | device | condition), or null.</summary>
    Task<AcmAlertRow?> OpenAcmAlertAsync(string gw, string key);

    /// <summary>Creates or replaces an ACM alarm by its id.</summary>
    Task SetAcmAlertAsync(AcmAlertRow row);

    /// <summary>Queues a PCD-04 for its manager; a control id already queued for that manager changes nothing.</summary>
    Task EnqueueAcmAsync(AcmMessageRow row);
}
