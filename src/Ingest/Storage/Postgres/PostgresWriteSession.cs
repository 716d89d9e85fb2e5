namespace EdgeTwin.Ingest.Storage.Postgres;

using Npgsql;

/// <summary>One locked transaction on PostgreSQL.</summary>
internal sealed class PostgresWriteSession : IWriteSession
{
    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlTransaction _tx;
    private readonly CancellationToken _ct;
    private readonly LockedChains _chains = new();

    public PostgresWriteSession(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        _conn = conn;
        _tx = tx;
        _ct = ct;
    }

    public async Task LockChainsAsync(IReadOnlyCollection<ChainId> chains, string site)
    {
        // One order for every worker, so two batches that share chains cannot deadlock.
        foreach (var id in chains.Distinct().Order())
        {
            await using (var insert = Command("INSERT INTO ingest_chains (gw, lane, epoch, site) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"))
            {
                insert.Parameters.AddWithValue(id.Gw);
                insert.Parameters.AddWithValue(id.Lane);
                insert.Parameters.AddWithValue(id.Epoch);
                insert.Parameters.AddWithValue(site);
                await insert.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
            }

            await using var select = Command($"SELECT {PostgresSchema.ChainColumns} FROM ingest_chains WHERE gw = $1 AND lane = $2 AND epoch = $3 FOR UPDATE");
            select.Parameters.AddWithValue(id.Gw);
            select.Parameters.AddWithValue(id.Lane);
            select.Parameters.AddWithValue(id.Epoch);
            await using var reader = await select.ExecuteReaderAsync(_ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(_ct).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Chain row {id} vanished while being locked.");
            }

            _chains.Loaded(PostgresRows.Chain(reader), isNew: false);
        }
    }

    public ChainRow Chain(ChainId id) => _chains.Get(id);

    public void SetChain(ChainRow row) => _chains.Set(row);

    public async Task<bool> TryInsertRecordAsync(RecordRow r)
    {
        await using var cmd = Command($"INSERT INTO ingest_records ({PostgresSchema.RecordColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING");
        var p = cmd.Parameters;
        p.AddWithValue(r.Chain.Gw);
        p.AddWithValue(r.Chain.Lane);
        p.AddWithValue(r.Chain.Epoch);
        p.AddWithValue(r.Seq);
        p.AddWithValue(r.Hash);
        p.AddWithValue(r.Kind);
        p.AddWithValue(r.Site);
        p.AddWithValue((object?)r.Ts?.ToUniversalTime() ?? DBNull.Value);
        p.AddWithValue((object?)r.Patient ?? DBNull.Value);
        p.AddWithValue((object?)r.Code ?? DBNull.Value);
        p.AddWithValue(r.Payload);
        p.AddWithValue(r.ReceivedAt.ToUniversalTime());
        return await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<RecordRow>> RecordsAsync(ChainId chain, long fromSeq, long toSeq)
    {
        await using var cmd = ChainCommand($"SELECT {PostgresSchema.RecordColumns} FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq BETWEEN $4 AND $5 ORDER BY seq", chain);
        cmd.Parameters.AddWithValue(fromSeq);
        cmd.Parameters.AddWithValue(toSeq);
        var list = new List<RecordRow>();
        await using var reader = await cmd.ExecuteReaderAsync(_ct).ConfigureAwait(false);
        while (await reader.ReadAsync(_ct).ConfigureAwait(false))
        {
            list.Add(PostgresRows.Record(reader));
        }

        return list;
    }

    public async Task AddEvidenceAsync(EvidenceRow evidence)
    {
        var e = EvidencePayload.Keep(evidence);
        await using var cmd = Command("INSERT INTO ingest_evidence (at, topic, gw, problem, payload, lane, epoch, seq, hash, size, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
        cmd.Parameters.AddWithValue(e.At.ToUniversalTime());
        cmd.Parameters.AddWithValue(e.Topic);
        cmd.Parameters.AddWithValue((object?)e.Gw ?? DBNull.Value);
        cmd.Parameters.AddWithValue(e.Problem);
        cmd.Parameters.AddWithValue(e.Payload);
        cmd.Parameters.AddWithValue((object?)e.Chain?.Lane ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.Chain?.Epoch ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.Seq ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)e.Hash ?? DBNull.Value);
        cmd.Parameters.AddWithValue(e.Size);
        cmd.Parameters.AddWithValue(e.Sha256!);
        await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyDictionary<long, string>> StoredHashesAsync(ChainId chain, long fromSeq, long toSeq)
    {
        await using var cmd = ChainCommand("SELECT seq, hash FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq BETWEEN $4 AND $5", chain);
        cmd.Parameters.AddWithValue(fromSeq);
        cmd.Parameters.AddWithValue(toSeq);
        var map = new Dictionary<long, string>();
        await using var reader = await cmd.ExecuteReaderAsync(_ct).ConfigureAwait(false);
        while (await reader.ReadAsync(_ct).ConfigureAwait(false))
        {
            map[reader.GetInt64(0)] = reader.GetString(1);
        }

        return map;
    }

    public async Task<EvidenceRow?> FindVariantAsync(ChainId chain, long seq, string hash)
    {
        await using var cmd = ChainCommand($"SELECT {PostgresSchema.EvidenceColumns} FROM ingest_evidence WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq = $4 AND hash = $5 AND (size IS NULL OR size = length(payload)) LIMIT 1", chain);
        cmd.Parameters.AddWithValue(seq);
        cmd.Parameters.AddWithValue(hash);
        await using var reader = await cmd.ExecuteReaderAsync(_ct).ConfigureAwait(false);
        return await reader.ReadAsync(_ct).ConfigureAwait(false) ? PostgresRows.Evidence(reader) : null;
    }

    public async Task ReplaceRecordAsync(RecordRow record)
    {
        await using (var delete = ChainCommand("DELETE FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq = $4", record.Chain))
        {
            delete.Parameters.AddWithValue(record.Seq);
            await delete.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
        }

        if (!await TryInsertRecordAsync(record).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Record {record.Chain} seq {record.Seq} could not be replaced.");
        }
    }

    public async Task DeleteRecordsAsync(ChainId chain)
    {
        await using var cmd = ChainCommand("DELETE FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3", chain);
        await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
    }

    public async Task AddAnchorLeavesAsync(ChainId chain, long fromSeq, long toSeq)
    {
        await using var cmd = ChainCommand("""
            INSERT INTO ingest_anchor_leaves (gw, lane, epoch, seq, hash)
            SELECT gw, lane, epoch, seq, hash FROM ingest_records
            WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq BETWEEN $4 AND $5 AND kind = 'checkpoint' ORDER BY seq
            ON CONFLICT DO NOTHING
            """, chain);
        cmd.Parameters.AddWithValue(fromSeq);
        cmd.Parameters.AddWithValue(toSeq);
        await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
    }

    public async Task AddAlertAsync(AlertRow a)
    {
        await using var cmd = Command("INSERT INTO ingest_alerts (at, kind, gw, lane, epoch, seq, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        cmd.Parameters.AddWithValue(a.At.ToUniversalTime());
        cmd.Parameters.AddWithValue(a.Kind);
        cmd.Parameters.AddWithValue(a.Gw);
        cmd.Parameters.AddWithValue((object?)a.Lane ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)a.Epoch ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)a.Seq ?? DBNull.Value);
        cmd.Parameters.AddWithValue(a.Detail);
        await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
    }

    public async Task<GatewayRow?> GatewayAsync(string gw)
    {
        await using var cmd = Command($"SELECT {PostgresSchema.GatewayColumns} FROM ingest_gateways WHERE gw = $1 FOR UPDATE");
        cmd.Parameters.AddWithValue(gw);
        await using var reader = await cmd.ExecuteReaderAsync(_ct).ConfigureAwait(false);
        return await reader.ReadAsync(_ct).ConfigureAwait(false) ? PostgresRows.Gateway(reader) : null;
    }

    public async Task SetGatewayAsync(GatewayRow g)
    {
        await using var cmd = Command($"""
            INSERT INTO ingest_gateways ({PostgresSchema.GatewayColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (gw) DO UPDATE SET site = $2, reported = $3, reported_version = $4, status = $5, updated_at = $6, silent_alerted = $7, key_rotations = $8
            """);
        cmd.Parameters.AddWithValue(g.Gw);
        cmd.Parameters.AddWithValue(g.Site);
        cmd.Parameters.AddWithValue((object?)g.Reported ?? DBNull.Value);
        cmd.Parameters.AddWithValue(g.ReportedVersion);
        cmd.Parameters.AddWithValue((object?)g.Status ?? DBNull.Value);
        cmd.Parameters.AddWithValue(g.UpdatedAt.ToUniversalTime());
        cmd.Parameters.AddWithValue(g.SilentAlerted);
        cmd.Parameters.AddWithValue((object?)g.KeyRotations ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
    }

    public async Task FlushAsync()
    {
        foreach (var row in _chains.Dirty)
        {
            await using var cmd = Command($"""
                UPDATE ingest_chains SET site = $4, verifier_state = $5, received = $6, verified_through = $7, verified = $8,
                  pending = $9, missing = $10, duplicates = $11, forks = $12, bad_sigs = $13, broken_links = $14,
                  gap_covered = $15, rejected = $16, receipted_through = $17, last_checkpoint_at = $18, missing_since = $19,
                  gap_alerted = $20, first_seen_at = $21, genesis_reason = $22, unsigned_branch = $23
                WHERE gw = $1 AND lane = $2 AND epoch = $3
                """);
            PostgresRows.AddChainParameters(cmd, row);
            await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
        }
    }

    private NpgsqlCommand Command(string sql) => new(sql, _conn, _tx);

    private NpgsqlCommand ChainCommand(string sql, ChainId chain)
    {
        var cmd = Command(sql);
        cmd.Parameters.AddWithValue(chain.Gw);
        cmd.Parameters.AddWithValue(chain.Lane);
        cmd.Parameters.AddWithValue(chain.Epoch);
        return cmd;
    }

    public async Task<AcmAlertRow?> OpenAcmAlertAsync(string gw, string key)
    {
        await using var cmd = Command($"SELECT {PostgresSchema.AcmAlertColumns} FROM ingest_acm_alerts WHERE gw = $1 AND key = $2 AND open");
        cmd.Parameters.AddWithValue(gw);
        cmd.Parameters.AddWithValue(key);
        await using var reader = await cmd.ExecuteReaderAsync(_ct).ConfigureAwait(false);
        return await reader.ReadAsync(_ct).ConfigureAwait(false) ? PostgresAcmRows.Alert(reader) : null;
    }

    public async Task SetAcmAlertAsync(AcmAlertRow row)
    {
        await using var cmd = Command(PostgresAcmRows.UpsertAlert);
        PostgresAcmRows.BindAlert(cmd, row);
        await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
    }

    public async Task EnqueueAcmAsync(AcmMessageRow row)
    {
        await using var cmd = Command(PostgresAcmRows.InsertMessage);
        PostgresAcmRows.BindMessage(cmd, row);
        await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
    }
}
