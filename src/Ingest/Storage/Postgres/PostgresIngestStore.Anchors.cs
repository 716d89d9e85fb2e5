namespace EdgeTwin.Ingest.Storage.Postgres;

using EdgeTwin.Ingest.Anchoring;
using Npgsql;

/// <summary>The leaf log and the anchors on PostgreSQL (issue 17).</summary>
internal sealed partial class PostgresIngestStore : IAnchorStore
{
    public async Task<AnchorRow?> LastAnchorAsync(CancellationToken ct) =>
        (await QueryAsync($"SELECT {PostgresAnchorSchema.AnchorColumns} FROM ingest_anchors ORDER BY idx DESC LIMIT 1", Anchor, ct).ConfigureAwait(false)).FirstOrDefault();

    public async Task<AnchorRow?> AnchorAsync(long index, CancellationToken ct) =>
        (await QueryAsync($"SELECT {PostgresAnchorSchema.AnchorColumns} FROM ingest_anchors WHERE idx = $1", Anchor, ct, index).ConfigureAwait(false)).FirstOrDefault();

    public async Task<AnchorRow?> AnchorCoveringAsync(long position, CancellationToken ct) =>
        (await QueryAsync($"SELECT {PostgresAnchorSchema.AnchorColumns} FROM ingest_anchors WHERE first_leaf <= $1 AND first_leaf + tree_size > $1", Anchor, ct, position).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<AnchorRow>> AnchorsAsync(int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {PostgresAnchorSchema.AnchorColumns} FROM ingest_anchors ORDER BY idx DESC LIMIT $1", Anchor, ct, limit);

    public async Task<AnchorRow?> PrepareAnchorAsync(int maxLeaves, Func<IReadOnlyList<string>, string> root, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", conn, tx))
        {
            lockCmd.Parameters.AddWithValue(PostgresAnchorSchema.AdvisoryLock);
            await lockCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        AnchorRow? last = null;
        await using (var lastCmd = new NpgsqlCommand($"SELECT {PostgresAnchorSchema.AnchorColumns} FROM ingest_anchors ORDER BY idx DESC LIMIT 1", conn, tx))
        await using (var reader = await lastCmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                last = Anchor(reader);
            }
        }

        if (last is { Anchored: false })
        {
            return last;
        }

        var first = last is null ? 0 : last.FirstLeaf + last.TreeSize;
        var hashes = new List<string>();
        await using (var assign = new NpgsqlCommand("""
            WITH taken AS (
              SELECT id, $1 + row_number() OVER (ORDER BY id) - 1 AS pos FROM ingest_anchor_leaves
              WHERE position IS NULL ORDER BY id LIMIT $2)
            UPDATE ingest_anchor_leaves l SET position = taken.pos FROM taken WHERE l.id = taken.id
            RETURNING l.position, l.hash
            """, conn, tx))
        {
            assign.Parameters.AddWithValue(first);
            assign.Parameters.AddWithValue((long)maxLeaves);
            var taken = new List<(long Position, string Hash)>();
            await using var reader = await assign.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                taken.Add((reader.GetInt64(0), reader.GetString(1)));
            }

            hashes.AddRange(taken.OrderBy(t => t.Position).Select(t => t.Hash));
        }

        if (hashes.Count == 0)
        {
            return null;
        }

        var row = new AnchorRow(last is null ? 0 : last.Index + 1, root(hashes), first, hashes.Count, last?.Root ?? AnchorRow.NoPreviousRoot, now);
        await using (var insert = new NpgsqlCommand("INSERT INTO ingest_anchors (idx, root, first_leaf, tree_size, previous_root, prepared_at) VALUES ($1, $2, $3, $4, $5, $6)", conn, tx))
        {
            insert.Parameters.AddWithValue(row.Index);
            insert.Parameters.AddWithValue(row.Root);
            insert.Parameters.AddWithValue(row.FirstLeaf);
            insert.Parameters.AddWithValue(row.TreeSize);
            insert.Parameters.AddWithValue(row.PreviousRoot);
            insert.Parameters.AddWithValue(row.PreparedAt.ToUniversalTime());
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        return row;
    }

    public async Task ConfirmAnchorAsync(long index, long chainId, string contract, string tx, long block, DateTimeOffset at, CancellationToken ct)
    {
        await using var cmd = _source.CreateCommand("UPDATE ingest_anchors SET chain_id = $2, contract = $3, tx = $4, block = $5, anchored_at = $6 WHERE idx = $1");
        cmd.Parameters.AddWithValue(index);
        cmd.Parameters.AddWithValue(chainId);
        cmd.Parameters.AddWithValue(contract);
        cmd.Parameters.AddWithValue(tx);
        cmd.Parameters.AddWithValue(block);
        cmd.Parameters.AddWithValue(at.ToUniversalTime());
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<string>> LeafHashesAsync(long from, long count, CancellationToken ct) =>
        QueryAsync("SELECT hash FROM ingest_anchor_leaves WHERE position >= $1 AND position < $2 ORDER BY position", r => r.GetString(0), ct, from, from + count);

    public async Task<AnchorLeafRow?> LeafAsync(ChainId chain, long seq, CancellationToken ct) =>
        (await QueryAsync("SELECT gw, lane, epoch, seq, hash, position FROM ingest_anchor_leaves WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq = $4",
            Leaf, ct, chain.Gw, chain.Lane, chain.Epoch, seq).ConfigureAwait(false)).FirstOrDefault();

    // Walks the chain's leaves from its highest seq down (the (gw, lane, epoch, seq) index): past the few
    // an anchor has not taken yet (position null) or a later anchor holds, to the first one below.
    public async Task<AnchorLeafRow?> LatestLeafBelowAsync(ChainId chain, long below, CancellationToken ct) =>
        (await QueryAsync("SELECT gw, lane, epoch, seq, hash, position FROM ingest_anchor_leaves WHERE gw = $1 AND lane = $2 AND epoch = $3 AND position < $4 ORDER BY seq DESC LIMIT 1",
            Leaf, ct, chain.Gw, chain.Lane, chain.Epoch, below).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<AuditLeaf>> AuditLeavesAsync(long from, long count, CancellationToken ct) =>
        QueryAsync("""
            SELECT l.position, l.gw, l.lane, l.epoch, l.seq, l.hash, r.payload FROM ingest_anchor_leaves l
            LEFT JOIN ingest_records r ON r.gw = l.gw AND r.lane = l.lane AND r.epoch = l.epoch AND r.seq = l.seq
            WHERE l.position >= $1 AND l.position < $2 ORDER BY l.position
            """,
            r => new AuditLeaf(r.GetInt64(0), new ChainId(r.GetString(1), r.GetString(2), r.GetString(3)), r.GetInt64(4), r.GetString(5), r.IsDBNull(6) ? null : (byte[])r[6]),
            ct, from, from + count);

    public Task<IReadOnlyList<RecordRow>> ThroughCheckpointAsync(ChainId chain, long seq, int limit, CancellationToken ct) =>
        QueryAsync($"""
            SELECT {PostgresSchema.RecordColumns} FROM ingest_records
            WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq >= $4
              AND seq <= (SELECT min(seq) FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq >= $4 AND kind = 'checkpoint')
            ORDER BY seq LIMIT $5
            """, PostgresRows.Record, ct, chain.Gw, chain.Lane, chain.Epoch, seq, limit);

    public async Task AddAlertAsync(AlertRow alert, CancellationToken ct) =>
        await WriteAsync<bool>([], string.Empty, async s =>
        {
            await s.AddAlertAsync(alert).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);

    private static AnchorLeafRow Leaf(NpgsqlDataReader r) =>
        new(new ChainId(r.GetString(0), r.GetString(1), r.GetString(2)), r.GetInt64(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetInt64(5));

    private static AnchorRow Anchor(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetString(4), PostgresRows.Time(r, 5)!.Value)
    {
        ChainId = r.IsDBNull(6) ? null : r.GetInt64(6),
        Contract = r.IsDBNull(7) ? null : r.GetString(7),
        Tx = r.IsDBNull(8) ? null : r.GetString(8),
        Block = r.IsDBNull(9) ? null : r.GetInt64(9),
        AnchoredAt = PostgresRows.Time(r, 10),
    };
}
