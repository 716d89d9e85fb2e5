namespace EdgeTwin.Ingest.Storage.Postgres;

using Npgsql;
using NpgsqlTypes;

/// <summary>One locked transaction on PostgreSQL.</summary>
internal sealed class PostgresWriteSession : IWriteSession
{
    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlTransaction _tx;
    private readonly CancellationToken _ct;
    private readonly LockedChains _chains = new();

    // The records waiting for the COPY, by chain: a batch of many gateways looks up stored hashes once per chain, and a
    // scan of every waiting record per look-up grew with chains x records (docs/benchmarks.md, issue 13 fourteenth pass).
    private readonly Dictionary<ChainId, List<RecordRow>> _pending = [];
    private readonly HashSet<(ChainId, long)> _pendingKeys = [];
    private readonly HashSet<(ChainId Chain, long Seq)> _absent = [];

    /// <summary>
    /// Stored hashes read ahead (<see cref="PrefetchStoredHashesAsync"/>): per chain, the seq range read
    /// and the table's rows in it, kept true by this transaction's own writes (every chain here is
    /// locked: no other transaction stores a record of it meanwhile).
    /// </summary>
    private readonly Dictionary<ChainId, FetchedHashes> _fetched = [];

    /// <summary>Gateway rows this transaction locked and read (null: no row), as it changed them since.</summary>
    private readonly Dictionary<string, GatewayRow?> _gateways = new(StringComparer.Ordinal);

    public PostgresWriteSession(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        _conn = conn;
        _tx = tx;
        _ct = ct;
    }

    // Text compared byte by byte (COLLATE "C"): the same order on every worker whatever the database's locale.
    private const string ChainOrder = "ORDER BY gw COLLATE \"C\", lane COLLATE \"C\", epoch COLLATE \"C\"";

    // A look-up of ingest_records per row of the caller's keys (k), as its own subquery (OFFSET 0 keeps
    // the planner from folding it into a join): always an index probe per key. As a join it hashed the
    // whole table whenever the planner's figures favoured that: a prepared plan made while the table was
    // small and kept as it grew, or statistics giving each of a few gateways a large share of the table
    // (unprepared too: 174 ms a look-up in two benchmark lines of thirteen, docs/benchmarks.md issue 13 ninth pass).
    private const string ByKey = "r.gw = k.gw AND r.lane = k.lane AND r.epoch = k.epoch";

    // Both answer with the position of the caller's key (1-based) rather than its chain's three names:
    // the prefetch returns a row per stored record (about every record of a batch of 256), and the names
    // were most of each row's bytes and three strings each for the worker to read.

    /// <summary>Which of the given (chain, seq) are stored, by position: the batch's one look-up before its COPY.</summary>
    internal const string StoredKeysSql = $"""
        SELECT k.i FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS k (gw, lane, epoch, seq, i)
        CROSS JOIN LATERAL (SELECT FROM ingest_records r WHERE {ByKey} AND r.seq = k.seq OFFSET 0) r
        """;

    /// <summary>
    /// The highest stored seq of each chain, by position (a chain with no record stored has no row): one
    /// probe of the key index per chain, from which every record of the batch above it is known absent
    /// without a probe of its own (<see cref="PrepareAsync"/>).
    /// </summary>
    internal const string StoredTopsSql = $"""
        SELECT k.i, r.seq FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k (gw, lane, epoch, i)
        CROSS JOIN LATERAL (SELECT r.seq FROM ingest_records r WHERE {ByKey} ORDER BY r.seq DESC LIMIT 1) r
        """;

    /// <summary>The stored hashes of each chain's seq range (lo..hi), by the range's position: the batch's one read of them (<see cref="PrefetchStoredHashesAsync"/>).</summary>
    internal const string StoredHashesSql = $"""
        SELECT k.i, r.seq, r.hash
        FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) WITH ORDINALITY AS k (gw, lane, epoch, lo, hi, i)
        CROSS JOIN LATERAL (SELECT r.seq, r.hash FROM ingest_records r WHERE {ByKey} AND r.seq BETWEEN k.lo AND k.hi OFFSET 0) r
        """;

    public async Task LockChainsAsync(IReadOnlyCollection<ChainId> chains, Func<ChainId, string> siteOf, Func<ChainId, byte[]?>? heldState)
    {
        var ids = chains.Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        // One round trip: create the missing rows, then lock all of them, both in one order for every
        // worker, so two batches that share chains cannot deadlock. A chain whose state the worker holds
        // has a row (rows are never deleted), so a batch of only such chains skips the insert; should
        // the row be gone all the same (a database restored under a running worker), the lock below
        // fails the batch, the worker drops its verifiers, and the retry inserts it.
        await using var batch = new NpgsqlBatch(_conn, _tx);
        var created = ids.Where(i => heldState?.Invoke(i) is null).ToList();
        if (created.Count > 0)
        {
            // first_seen_at is left at the epoch, as the LiteDB store's new row is (ChainRow.Fresh): the batch
            // concluding the chain sets it to its own clock's time (GatewayBatch), not the database's now(), so
            // the watchdog's silent-gateway reckons from the same clock as everything else the ingest stamps.
            var insert = new NpgsqlBatchCommand($"INSERT INTO ingest_chains (gw, lane, epoch, site, first_seen_at) SELECT c.gw, c.lane, c.epoch, c.site, 'epoch' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS c (gw, lane, epoch, site) {ChainOrder} ON CONFLICT DO NOTHING");
            AddChainKeys(insert.Parameters, created);
            insert.Parameters.AddWithValue(created.Select(siteOf).ToArray());
            batch.BatchCommands.Add(insert);
        }

        // The state comes back only where it is not the one the worker holds: another worker (or none) wrote it last.
        var select = new NpgsqlBatchCommand($"SELECT {PostgresSchema.LockColumns} FROM ingest_chains c JOIN unnest($1::text[], $2::text[], $3::text[], $4::bytea[]) AS k (gw, lane, epoch, held) USING (gw, lane, epoch) {ChainOrder} FOR UPDATE OF c");
        AddChainKeys(select.Parameters, ids);
        select.Parameters.Add(new NpgsqlParameter { Value = ids.Select(i => heldState?.Invoke(i)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        batch.BatchCommands.Add(select);
        await using var reader = await batch.ExecuteReaderAsync(_ct).ConfigureAwait(false);
        while (await reader.ReadAsync(_ct).ConfigureAwait(false))
        {
            _chains.Loaded(PostgresRows.Chain(reader), isNew: false);
        }

        var vanished = ids.Where(id => !_chains.Has(id)).ToList();
        if (vanished.Count > 0)
        {
            throw new ChainRowVanishedException(vanished);
        }
    }

    public ChainRow Chain(ChainId id) => _chains.Get(id);

    public void SetChain(ChainRow row) => _chains.Set(row);

    public async Task PrepareAsync(IReadOnlyCollection<(ChainId Chain, long Seq)> keys, IReadOnlyCollection<string> gateways)
    {
        // Only chains this transaction locked: no other worker can store a record of them meanwhile, and
        // this statement's snapshot (a new one per statement, READ COMMITTED) is taken after the locks, so
        // it sees every record stored before them.
        var wanted = new List<(ChainId Chain, long Seq)>(keys.Count);
        var distinct = new HashSet<(ChainId, long)>(keys.Count);
        var perChain = new Dictionary<ChainId, int>();
        foreach (var k in keys)
        {
            if (_chains.Has(k.Chain) && !_pendingKeys.Contains(k) && distinct.Add(k))
            {
                wanted.Add(k);
                perChain[k.Chain] = perChain.GetValueOrDefault(k.Chain) + 1;
            }
        }

        var gws = gateways.Where(g => !_gateways.ContainsKey(g)).Distinct(StringComparer.Ordinal).ToArray();
        if (wanted.Count == 0 && gws.Length == 0)
        {
            return;
        }

        // A chain with one record here: that record's key probed. A chain with more: its highest stored seq
        // (one probe), and only its records at or below that probed after it, mostly none: a gateway's
        // records arrive after what is stored of its chain (docs/benchmarks.md issue 13, fourteenth pass:
        // the probe per record was a fifth of PostgreSQL's time at bulk).
        var probe = wanted.Where(k => perChain[k.Chain] == 1).ToList();
        var topped = perChain.Where(c => c.Value > 1).Select(c => c.Key).ToList();

        // One round trip: the probes and tops, and the gateways' rows locked (after the chain rows, in one
        // order on every worker, as GatewayAsync locks one).
        var stored = new HashSet<(ChainId, long)>();
        var tops = new Dictionary<ChainId, long>();
        await using (var batch = new NpgsqlBatch(_conn, _tx))
        {
            if (probe.Count > 0)
            {
                batch.BatchCommands.Add(StoredKeysCommand(probe));
            }

            if (topped.Count > 0)
            {
                var top = new NpgsqlBatchCommand(StoredTopsSql);
                AddChainKeys(top.Parameters, topped);
                batch.BatchCommands.Add(top);
            }

            if (gws.Length > 0)
            {
                var rows = new NpgsqlBatchCommand($"SELECT {PostgresSchema.GatewayColumns} FROM ingest_gateways WHERE gw = ANY($1) ORDER BY gw COLLATE \"C\" FOR UPDATE");
                rows.Parameters.AddWithValue(gws);
                batch.BatchCommands.Add(rows);
            }

            await using var reader = await batch.ExecuteReaderAsync(_ct).ConfigureAwait(false);
            if (probe.Count > 0)
            {
                while (await reader.ReadAsync(_ct).ConfigureAwait(false))
                {
                    stored.Add(probe[(int)reader.GetInt64(0) - 1]);
                }

                await reader.NextResultAsync(_ct).ConfigureAwait(false);
            }

            if (topped.Count > 0)
            {
                while (await reader.ReadAsync(_ct).ConfigureAwait(false))
                {
                    tops[topped[(int)reader.GetInt64(0) - 1]] = reader.GetInt64(1);
                }

                await reader.NextResultAsync(_ct).ConfigureAwait(false);
            }

            if (gws.Length > 0)
            {
                while (await reader.ReadAsync(_ct).ConfigureAwait(false))
                {
                    var row = PostgresRows.Gateway(reader);
                    _gateways[row.Gw] = row;
                }

                // A gateway with no row yet: none to lock; SetGatewayAsync creates it (ON CONFLICT, as before).
                foreach (var gw in gws)
                {
                    _gateways.TryAdd(gw, null);
                }
            }
        }

        // The records at or below their chain's highest stored seq: a repeat, or a record filling a hole.
        var below = wanted.Where(k => tops.TryGetValue(k.Chain, out var top) && k.Seq <= top).ToList();
        if (below.Count > 0)
        {
            await using var batch = new NpgsqlBatch(_conn, _tx);
            batch.BatchCommands.Add(StoredKeysCommand(below));
            await using var reader = await batch.ExecuteReaderAsync(_ct).ConfigureAwait(false);
            while (await reader.ReadAsync(_ct).ConfigureAwait(false))
            {
                stored.Add(below[(int)reader.GetInt64(0) - 1]);
            }
        }

        foreach (var k in wanted)
        {
            if (!stored.Contains(k))
            {
                _absent.Add(k);
            }
        }
    }

    /// <summary>The look-up of which of these (chain, seq) are stored (<see cref="StoredKeysSql"/>).</summary>
    private static NpgsqlBatchCommand StoredKeysCommand(IReadOnlyList<(ChainId Chain, long Seq)> keys)
    {
        var cmd = new NpgsqlBatchCommand(StoredKeysSql);
        AddChainKeys(cmd.Parameters, keys.Select(k => k.Chain));
        cmd.Parameters.AddWithValue(keys.Select(k => k.Seq).ToArray());
        return cmd;
    }

    public async Task<bool> TryInsertRecordAsync(RecordRow r)
    {
        var key = (r.Chain, r.Seq);
        if (_pendingKeys.Contains(key))
        {
            return false;
        }

        if (_absent.Remove(key))
        {
            // Known not to be stored: goes in with the others in one COPY before the next read or the commit.
            if (!_pending.TryGetValue(r.Chain, out var ofChain))
            {
                _pending[r.Chain] = ofChain = [];
            }

            ofChain.Add(r);
            _pendingKeys.Add(key);
            return true;
        }

        return await InsertNowAsync(r).ConfigureAwait(false);
    }

    private async Task<bool> InsertNowAsync(RecordRow r)
    {
        // The table's key includes received_at (its partition key), so it cannot refuse a second record
        // at a seq received another day: the look-up does, and the chain's row lock keeps it true until commit.
        if (!_chains.Has(r.Chain))
        {
            throw new InvalidOperationException($"A record of {r.Chain} can only be stored with its chain row locked.");
        }

        await using var cmd = Command($"""
            INSERT INTO ingest_records ({PostgresSchema.RecordColumns})
            SELECT $1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::text, $8::timestamptz, $9::text, $10::text, $11::bytea, $12::timestamptz
            WHERE NOT EXISTS (SELECT 1 FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq = $4)
            """);
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
        if (await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false) != 1)
        {
            return false;
        }

        Written(r);
        return true;
    }

    /// <summary>The records accepted so far in one binary COPY (each known not stored at its seq: looked up under the chain locks).</summary>
    private async Task FlushRecordsAsync()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        await using (var copy = await _conn.BeginBinaryImportAsync($"COPY ingest_records ({PostgresSchema.RecordColumns}) FROM STDIN (FORMAT BINARY)", _ct).ConfigureAwait(false))
        {
            foreach (var r in _pending.Values.SelectMany(ofChain => ofChain))
            {
                await copy.StartRowAsync(_ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Chain.Gw, NpgsqlDbType.Text, _ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Chain.Lane, NpgsqlDbType.Text, _ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Chain.Epoch, NpgsqlDbType.Text, _ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint, _ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Hash, NpgsqlDbType.Text, _ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Kind, NpgsqlDbType.Text, _ct).ConfigureAwait(false);
                await copy.WriteAsync(r.Site, NpgsqlDbType.Text, _ct).ConfigureAwait(false);
                await WriteNullableAsync(copy, r.Ts?.ToUniversalTime(), NpgsqlDbType.TimestampTz).ConfigureAwait(false);
                await WriteNullableAsync(copy, r.Patient, NpgsqlDbType.Text).ConfigureAwait(false);
                await WriteNullableAsync(copy, r.Code, NpgsqlDbType.Text).ConfigureAwait(false);
                await copy.WriteAsync(r.Payload, NpgsqlDbType.Bytea, _ct).ConfigureAwait(false);
                await copy.WriteAsync(r.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, _ct).ConfigureAwait(false);
            }

            await copy.CompleteAsync(_ct).ConfigureAwait(false);
        }

        foreach (var r in _pending.Values.SelectMany(ofChain => ofChain))
        {
            Written(r);
        }

        _pending.Clear();
        _pendingKeys.Clear();
    }

    private async Task WriteNullableAsync<TValue>(NpgsqlBinaryImporter copy, TValue? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            await copy.WriteNullAsync(_ct).ConfigureAwait(false);
        }
        else
        {
            await copy.WriteAsync(value, type, _ct).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<RecordRow>> RecordsAsync(ChainId chain, long fromSeq, long toSeq)
    {
        await FlushRecordsAsync().ConfigureAwait(false);
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
        // The records waiting for the COPY are known not to be in the table (looked up under the chain's
        // lock): the table's rows and theirs make the answer, so a look-up does not cost a COPY of its own.
        var map = new Dictionary<long, string>();
        if (_fetched.TryGetValue(chain, out var fetched) && fetched.From <= fromSeq && toSeq <= fetched.To)
        {
            foreach (var (seq, hash) in fetched.Table)
            {
                if (seq >= fromSeq && seq <= toSeq)
                {
                    map[seq] = hash;
                }
            }
        }
        else
        {
            await using var cmd = ChainCommand("SELECT seq, hash FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq BETWEEN $4 AND $5", chain);
            cmd.Parameters.AddWithValue(fromSeq);
            cmd.Parameters.AddWithValue(toSeq);
            await using var reader = await cmd.ExecuteReaderAsync(_ct).ConfigureAwait(false);
            while (await reader.ReadAsync(_ct).ConfigureAwait(false))
            {
                map[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        if (_pending.TryGetValue(chain, out var pending))
        {
            foreach (var r in pending)
            {
                if (r.Seq >= fromSeq && r.Seq <= toSeq)
                {
                    map[r.Seq] = r.Hash;
                }
            }
        }

        return map;
    }

    public async Task PrefetchStoredHashesAsync(IReadOnlyCollection<(ChainId Chain, long FromSeq, long ToSeq)> ranges)
    {
        // Only chains this transaction locked (no other worker stores a record of them meanwhile); one span per chain.
        var wanted = ranges.Where(r => r.ToSeq >= r.FromSeq && _chains.Has(r.Chain))
            .GroupBy(r => r.Chain)
            .Select(g => (Chain: g.Key, From: g.Min(r => r.FromSeq), To: g.Max(r => r.ToSeq)))
            .ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        await using var cmd = Command(StoredHashesSql);
        AddChainKeys(cmd.Parameters, wanted.Select(w => w.Chain));
        cmd.Parameters.AddWithValue(wanted.Select(w => w.From).ToArray());
        cmd.Parameters.AddWithValue(wanted.Select(w => w.To).ToArray());
        var fetched = wanted.ToDictionary(w => w.Chain, w => new FetchedHashes(w.From, w.To, []));
        await using (var reader = await cmd.ExecuteReaderAsync(_ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(_ct).ConfigureAwait(false))
            {
                fetched[wanted[(int)reader.GetInt64(0) - 1].Chain].Table[reader.GetInt64(1)] = reader.GetString(2);
            }
        }

        foreach (var (chain, f) in fetched)
        {
            _fetched[chain] = f;
        }
    }

    /// <summary>A record now in the table: a range read ahead that covers its seq holds its hash from now on.</summary>
    private void Written(RecordRow r)
    {
        if (_fetched.TryGetValue(r.Chain, out var f) && r.Seq >= f.From && r.Seq <= f.To)
        {
            f.Table[r.Seq] = r.Hash;
        }
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
        await FlushRecordsAsync().ConfigureAwait(false);
        _absent.Remove((record.Chain, record.Seq));
        await using (var delete = ChainCommand("DELETE FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq = $4", record.Chain))
        {
            delete.Parameters.AddWithValue(record.Seq);
            await delete.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
        }

        if (!await InsertNowAsync(record).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Record {record.Chain} seq {record.Seq} could not be replaced.");
        }
    }

    public async Task DeleteRecordAsync(ChainId chain, long seq)
    {
        await FlushRecordsAsync().ConfigureAwait(false);
        await using (var delete = ChainCommand("DELETE FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND seq = $4", chain))
        {
            delete.Parameters.AddWithValue(seq);
            await delete.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
        }

        // A range read ahead holds the table's rows: no longer this one.
        if (_fetched.TryGetValue(chain, out var f))
        {
            f.Table.Remove(seq);
        }
    }

    public async Task DeleteRecordsAsync(ChainId chain)
    {
        await FlushRecordsAsync().ConfigureAwait(false);
        _absent.RemoveWhere(k => k.Chain == chain);
        _fetched.Remove(chain);
        await using var cmd = ChainCommand("DELETE FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3", chain);
        await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
    }

    public async Task AddAnchorLeavesAsync(ChainId chain, long fromSeq, long toSeq)
    {
        await FlushRecordsAsync().ConfigureAwait(false);
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
        if (_gateways.TryGetValue(gw, out var known))
        {
            return known;
        }

        await using var cmd = Command($"SELECT {PostgresSchema.GatewayColumns} FROM ingest_gateways WHERE gw = $1 FOR UPDATE");
        cmd.Parameters.AddWithValue(gw);
        await using var reader = await cmd.ExecuteReaderAsync(_ct).ConfigureAwait(false);
        var row = await reader.ReadAsync(_ct).ConfigureAwait(false) ? PostgresRows.Gateway(reader) : null;
        _gateways[gw] = row;
        return row;
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
        _gateways[g.Gw] = g;
    }

    public async Task FlushAsync()
    {
        await FlushRecordsAsync().ConfigureAwait(false);
        var dirty = _chains.Dirty.ToList();
        if (dirty.Count == 0)
        {
            return;
        }

        // Every changed chain row in one statement (one row of the unnest per chain: with many gateways a
        // batch changes hundreds of rows, and a statement each cost PostgreSQL a parse, plan and executor
        // start per row); the state only where it changed. The rows are locked by this transaction.
        var changed = dirty.Select(r => !r.StateUnchanged()).ToArray();
        await using var cmd = Command("""
            UPDATE ingest_chains c SET site = u.site,
              chain_state = CASE WHEN u.changed THEN u.chain_state ELSE c.chain_state END,
              verifier_state = CASE WHEN u.changed THEN NULL ELSE c.verifier_state END,
              received = u.received, verified_through = u.verified_through, verified = u.verified, pending = u.pending,
              missing = u.missing, duplicates = u.duplicates, forks = u.forks, bad_sigs = u.bad_sigs, broken_links = u.broken_links,
              gap_covered = u.gap_covered, rejected = u.rejected, receipted_through = u.receipted_through,
              last_checkpoint_at = u.last_checkpoint_at, missing_since = u.missing_since, gap_alerted = u.gap_alerted,
              first_seen_at = u.first_seen_at, genesis_reason = u.genesis_reason, unsigned_branch = u.unsigned_branch
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bytea[], $7::bigint[], $8::bigint[], $9::bigint[],
                        $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[],
                        $18::bigint[], $19::timestamptz[], $20::timestamptz[], $21::boolean[], $22::timestamptz[], $23::text[], $24::bigint[])
              AS u (gw, lane, epoch, site, changed, chain_state, received, verified_through, verified,
                    pending, missing, duplicates, forks, bad_sigs, broken_links, gap_covered, rejected,
                    receipted_through, last_checkpoint_at, missing_since, gap_alerted, first_seen_at, genesis_reason, unsigned_branch)
            WHERE c.gw = u.gw AND c.lane = u.lane AND c.epoch = u.epoch
            """);
        var p = cmd.Parameters;
        AddChainKeys(p, dirty.Select(r => r.Id));
        p.AddWithValue(dirty.Select(r => r.Site).ToArray());
        p.AddWithValue(changed);
        p.Add(new NpgsqlParameter { Value = dirty.Select((r, i) => changed[i] ? r.VerifierState : null).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        foreach (var column in new Func<ChainRow, long>[]
        {
            r => r.Received, r => r.VerifiedThrough, r => r.Verified, r => r.Pending, r => r.Missing, r => r.Duplicates, r => r.Forks,
            r => r.BadSignatures, r => r.BrokenLinks, r => r.GapCovered, r => r.Rejected, r => r.ReceiptedThrough,
        })
        {
            p.AddWithValue(dirty.Select(column).ToArray());
        }

        p.Add(Times(dirty.Select(r => r.LastCheckpointAt)));
        p.Add(Times(dirty.Select(r => r.MissingSince)));
        p.AddWithValue(dirty.Select(r => r.GapAlerted).ToArray());
        p.Add(Times(dirty.Select(r => (DateTimeOffset?)r.FirstSeenAt)));
        p.Add(new NpgsqlParameter { Value = dirty.Select(r => r.GenesisReason).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.AddWithValue(dirty.Select(r => r.UnsignedBranch).ToArray());
        var updated = await cmd.ExecuteNonQueryAsync(_ct).ConfigureAwait(false);
        if (updated != dirty.Count)
        {
            throw new InvalidOperationException($"{dirty.Count - updated} of {dirty.Count} locked chain rows were not there to update.");
        }
    }

    /// <summary>The chains' keys as three parameters, text[] each, in the chains' order: gw, lane, epoch (for <c>unnest</c>).</summary>
    private static void AddChainKeys(NpgsqlParameterCollection p, IEnumerable<ChainId> chains)
    {
        var list = chains as IReadOnlyList<ChainId> ?? [.. chains];
        p.AddWithValue(list.Select(c => c.Gw).ToArray());
        p.AddWithValue(list.Select(c => c.Lane).ToArray());
        p.AddWithValue(list.Select(c => c.Epoch).ToArray());
    }

    /// <summary>A timestamptz[] parameter (UTC; nulls kept).</summary>
    private static NpgsqlParameter Times(IEnumerable<DateTimeOffset?> times) =>
        new() { Value = times.Select(t => t?.UtcDateTime).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz };

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

    /// <summary>A chain's stored hashes in [From, To] as the table holds them in this transaction.</summary>
    private sealed record FetchedHashes(long From, long To, Dictionary<long, string> Table);
}
