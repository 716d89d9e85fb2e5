namespace EdgeTwin.Ingest.Storage.Postgres;

using Npgsql;

/// <summary>
/// The backend for several workers. Each batch is one transaction that first locks its chain rows
/// (created if absent) in a fixed order with SELECT ... FOR UPDATE, so two workers can never both
/// accept different records at one seq; the records' primary key backs that up. A commit returns
/// after PostgreSQL has flushed its WAL (synchronous_commit), which is what a receipt needs.
/// </summary>
internal sealed partial class PostgresIngestStore : IIngestStore, IAlarmOutStore, IRecordRetention
{
    private readonly NpgsqlDataSource _source;

    /// <summary>The batches' connections (<see cref="PostgresWriteSource"/>): their statements prepared, no session reset between batches.</summary>
    private readonly NpgsqlDataSource _writes;
    private readonly TimeProvider _time;
    private readonly bool _partitioned;

    /// <param name="partitioned">Records partitioned by day (<c>Ingest:Retention</c> set): <see cref="PostgresRecordPartitions"/>.</param>
    public PostgresIngestStore(string connectionString, TimeProvider? time = null, bool partitioned = false)
    {
        _source = NpgsqlDataSource.Create(connectionString);
        _writes = NpgsqlDataSource.Create(PostgresWriteSource.ConnectionString(connectionString));
        _time = time ?? TimeProvider.System;
        _partitioned = partitioned;
    }

    public string Backend => "postgres";

    /// <summary>Each write session is a connection of its own; chain rows are locked row by row.</summary>
    public bool ConcurrentWrites => true;

    public string? Migrated { get; private set; }

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var conn = await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", conn, tx))
        {
            lockCmd.Parameters.AddWithValue(PostgresSchema.AdvisoryLock);
            await lockCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await using (var create = new NpgsqlCommand(PostgresSchema.Create, conn, tx))
        {
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        Migrated = await PostgresRecordPartitions.CreateOrMigrateAsync(conn, tx, _time.GetUtcNow(), _partitioned, ct).ConfigureAwait(false);
        await using (var anchors = new NpgsqlCommand(PostgresAnchorSchema.Create, conn, tx))
        {
            await anchors.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);

        // Today's partition (and the next days') before the first batch: a row that lands in the
        // default partition keeps its day from ever getting a partition of its own.
        await MaintainAsync(_time.GetUtcNow(), null, ct).ConfigureAwait(false);
    }

    public async Task<RetentionRound> MaintainAsync(DateTimeOffset now, TimeSpan? retention, CancellationToken ct)
    {
        var created = new List<string>();
        var notCreated = new List<string>();
        var dropped = new List<DroppedPartition>();
        var kept = new List<string>();
        await using var conn = await _source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            // Workers run this round too: one at a time.
            await PostgresRecordPartitions.ExecuteAsync(conn, tx, $"SELECT pg_advisory_xact_lock({PostgresSchema.AdvisoryLock})", ct).ConfigureAwait(false);
            if (!await PostgresRecordPartitions.IsPartitionedAsync(conn, tx, ct).ConfigureAwait(false))
            {
                // No retention when the table was made: no days to make, nothing to drop.
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return new RetentionRound(created, notCreated, dropped, kept);
            }

            var existing = await PostgresRecordPartitions.ListAsync(conn, tx, ct).ConfigureAwait(false);
            var covered = existing.Where(p => p.Name.StartsWith(PostgresRecordPartitions.BeforePrefix, StringComparison.Ordinal)).Select(p => p.Until).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            var today = PostgresRecordPartitions.Day(now);
            for (var day = today.AddDays(-1); day <= today.AddDays(PostgresRecordPartitions.DaysAhead); day = day.AddDays(1))
            {
                var name = PostgresRecordPartitions.DayName(day);
                if (day < covered || existing.Exists(p => p.Name == name))
                {
                    continue;
                }

                (await PostgresRecordPartitions.TryCreateDayAsync(conn, tx, day, ct).ConfigureAwait(false) ? created : notCreated).Add(name);
            }

            await tx.CommitAsync(ct).ConfigureAwait(false);
            if (retention is not { } keep)
            {
                return new RetentionRound(created, notCreated, dropped, kept);
            }

            foreach (var (name, until) in existing.Where(p => p.Until <= now - keep).OrderBy(p => p.Until))
            {
                await using var drop = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
                // Never waits long for the workers' batches: tried again next round.
                await PostgresRecordPartitions.ExecuteAsync(conn, drop, "SET LOCAL lock_timeout = '10s'", ct).ConfigureAwait(false);
                if (await PostgresRecordPartitions.HoldsUnverifiedAsync(conn, drop, name, ct).ConfigureAwait(false))
                {
                    kept.Add(name);
                    continue;
                }

                var records = await PostgresRecordPartitions.EstimateAsync(conn, drop, name, ct).ConfigureAwait(false);
                await PostgresRecordPartitions.ExecuteAsync(conn, drop, $"DROP TABLE {name}", ct).ConfigureAwait(false);
                await drop.CommitAsync(ct).ConfigureAwait(false);
                dropped.Add(new DroppedPartition(name, until, records));
            }
        }

        return new RetentionRound(created, notCreated, dropped, kept);
    }

    public Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, string site, Func<IWriteSession, Task<T>> work, CancellationToken ct) =>
        WriteAsync(chains, _ => site, null, work, ct);

    public async Task<T> WriteAsync<T>(IReadOnlyCollection<ChainId> chains, Func<ChainId, string> siteOf, Func<ChainId, byte[]?>? heldState, Func<IWriteSession, Task<T>> work, CancellationToken ct)
    {
        await using var conn = await _writes.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        var session = new PostgresWriteSession(conn, tx, ct);
        await session.LockChainsAsync(chains, siteOf, heldState).ConfigureAwait(false);
        var result = await work(session).ConfigureAwait(false);
        await session.FlushAsync().ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// The batches' pooled connection as PostgreSQL sees it (its backend's pid and the statements prepared
    /// in its session): for tests and diagnosis. With no batch running, the pool hands out the connection
    /// the last batch used.
    /// </summary>
    internal async Task<(int Pid, IReadOnlyList<string> Prepared)> WriteConnectionAsync(CancellationToken ct)
    {
        await using var conn = await _writes.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT pg_backend_pid(), statement FROM pg_prepared_statements RIGHT JOIN (SELECT) AS one ON true", conn);
        var prepared = new List<string>();
        var pid = 0;
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            pid = reader.GetInt32(0);
            if (!reader.IsDBNull(1))
            {
                prepared.Add(reader.GetString(1));
            }
        }

        return (pid, prepared);
    }

    public async Task<IReadOnlyList<ChainRow>> ChainsAsync(string? gw, CancellationToken ct)
    {
        var sql = $"SELECT {PostgresSchema.ChainColumns} FROM ingest_chains WHERE ($1::text IS NULL OR gw = $1) ORDER BY gw, lane, epoch";
        return await QueryAsync(sql, PostgresRows.Chain, ct, (object?)gw ?? DBNull.Value).ConfigureAwait(false);
    }

    public async Task<GatewayRow?> GatewayAsync(string gw, CancellationToken ct)
    {
        var rows = await QueryAsync($"SELECT {PostgresSchema.GatewayColumns} FROM ingest_gateways WHERE gw = $1", PostgresRows.Gateway, ct, gw).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<IReadOnlyList<GatewayRow>> GatewaysAsync(CancellationToken ct) =>
        QueryAsync($"SELECT {PostgresSchema.GatewayColumns} FROM ingest_gateways ORDER BY gw", PostgresRows.Gateway, ct);

    public async Task<IReadOnlyList<RecordRow>> VerifiedRecordsAsync(RecordQuery query, CancellationToken ct)
    {
        // Newest `limit` verified rows, returned oldest first.
        var sql = $"""
            SELECT * FROM (
              SELECT {Prefixed("r", PostgresSchema.RecordColumns)} FROM ingest_records r
              JOIN ingest_chains c ON c.gw = r.gw AND c.lane = r.lane AND c.epoch = r.epoch
              WHERE r.seq <= c.verified_through
                AND ($1::text IS NULL OR r.patient = $1) AND ($2::text IS NULL OR r.gw = $2)
                AND ($3::timestamptz IS NULL OR r.ts >= $3) AND ($4::text IS NULL OR r.kind = $4)
              ORDER BY r.ts DESC NULLS LAST, r.seq DESC LIMIT $5) x
            ORDER BY gw, lane, epoch, seq
            """;
        return await QueryAsync(sql, PostgresRows.Record, ct,
            (object?)query.Patient ?? DBNull.Value, (object?)query.Gw ?? DBNull.Value,
            (object?)query.Since?.ToUniversalTime() ?? DBNull.Value, (object?)query.Kind ?? DBNull.Value, query.Limit).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<RecordRow>> CheckpointsAsync(ChainId chain, long fromSeq, long toSeq, CancellationToken ct) =>
        QueryAsync($"SELECT {PostgresSchema.RecordColumns} FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq BETWEEN $4 AND $5 AND kind = 'checkpoint' ORDER BY seq",
            PostgresRows.Record, ct, chain.Gw, chain.Lane, chain.Epoch, fromSeq, toSeq);

    public Task<IReadOnlyList<AlertRow>> AlertsAsync(long afterId, int limit, CancellationToken ct) =>
        QueryAsync("SELECT id, at, kind, gw, lane, epoch, seq, detail FROM ingest_alerts WHERE id > $1 ORDER BY id LIMIT $2",
            r => new AlertRow(new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc)), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetInt64(6), r.GetString(7))
            { Id = r.GetInt64(0) }, ct, afterId, limit);

    public Task<IReadOnlyList<EvidenceRow>> EvidenceAsync(int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {PostgresSchema.EvidenceColumns} FROM ingest_evidence ORDER BY id LIMIT $1", PostgresRows.Evidence, ct, limit);

    public async Task<long> RecordCountAsync(CancellationToken ct)
    {
        await using var cmd = _source.CreateCommand("SELECT count(*) FROM ingest_records");
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    public async ValueTask DisposeAsync()
    {
        await _writes.DisposeAsync().ConfigureAwait(false);
        await _source.DisposeAsync().ConfigureAwait(false);
    }

    private static string Prefixed(string alias, string columns) =>
        string.Join(", ", columns.Split(", ").Select(c => $"{alias}.{c}"));

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params object[] args)
    {
        await using var cmd = _source.CreateCommand(sql);
        foreach (var a in args)
        {
            cmd.Parameters.AddWithValue(a);
        }

        var list = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(map(reader));
        }

        return list;
    }
}
