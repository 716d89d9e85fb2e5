namespace EdgeTwin.Integration.Tests.Support;

using System.Text.Json;
using EdgeTwin.Outbox;
using Npgsql;

/// <summary>
/// What the ingest's PostgreSQL database holds of one gateway's chain, read directly (not through the
/// ingest): the obs records and samples stored at or below the chain's verified seq, the records gap
/// statements name, rows stored twice, the chain's counters and its genesis key.
/// </summary>
internal sealed class IngestLedger(string connection, string gw) : IAsyncDisposable
{
    // No pool: a test may restart PostgreSQL, which ends every pooled connection.
    private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(connection + ";Pooling=false");

    /// <summary>The obs records and their samples stored with seq in [<paramref name="from"/>, <paramref name="through"/>] and verified.</summary>
    public async Task<(long Records, long Samples)> VerifiedAsync(string lane, string epoch, long from, long through)
    {
        await using var cmd = _db.CreateCommand("""
            SELECT r.payload FROM ingest_records r JOIN ingest_chains c USING (gw, lane, epoch)
            WHERE r.gw = $1 AND r.lane = $2 AND r.epoch = $3 AND r.kind = 'obs' AND r.seq BETWEEN $4 AND $5 AND r.seq <= c.verified_through
            """);
        cmd.Parameters.AddWithValue(gw);
        cmd.Parameters.AddWithValue(lane);
        cmd.Parameters.AddWithValue(epoch);
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(through);
        long records = 0, samples = 0;
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            records++;
            samples += ObsSamples.Count((byte[])reader[0]);
        }

        return (records, samples);
    }

    /// <summary>How many seqs in [<paramref name="from"/>, <paramref name="through"/>] the chain's stored gap statements name as dropped.</summary>
    public async Task<long> GapCoveredAsync(string lane, string epoch, long from, long through)
    {
        long named = 0;
        foreach (var payload in await PayloadsAsync("kind = 'gap'", lane, epoch))
        {
            using var doc = JsonDocument.Parse(payload);
            var body = doc.RootElement.GetProperty("body");
            var (gapFrom, gapTo) = (body.GetProperty("from").GetInt64(), body.GetProperty("to").GetInt64());
            named += Math.Max(0, Math.Min(gapTo, through) - Math.Max(gapFrom, from) + 1);
        }

        return named;
    }

    /// <summary>Rows of the chain beyond one per seq (the table's key forbids them; counted, not assumed).</summary>
    public async Task<long> StoredTwiceAsync(string lane, string epoch) =>
        await ScalarAsync("SELECT count(*) - count(DISTINCT seq) FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3", lane, epoch);

    /// <summary>The epochs the ingest holds of the lane (a crash must not have started another).</summary>
    public async Task<List<string>> EpochsAsync(string lane)
    {
        await using var cmd = _db.CreateCommand("SELECT epoch FROM ingest_chains WHERE gw = $1 AND lane = $2");
        cmd.Parameters.AddWithValue(gw);
        cmd.Parameters.AddWithValue(lane);
        var epochs = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            epochs.Add(reader.GetString(0));
        }

        return epochs;
    }

    /// <summary>The key the chain's stored genesis names.</summary>
    public async Task<string?> GenesisKeyAsync(string lane, string epoch)
    {
        var genesis = await PayloadsAsync("seq = 0 AND kind = 'genesis'", lane, epoch);
        if (genesis.Count != 1)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(genesis[0]);
        return doc.RootElement.GetProperty("body").GetProperty("key").GetString();
    }

    /// <summary>The chain's counters as the ingest keeps them.</summary>
    public async Task<Dictionary<string, long>> CountersAsync(string lane, string epoch)
    {
        string[] names = ["verified_through", "missing", "duplicates", "forks", "bad_sigs", "broken_links", "gap_covered", "unsigned_branch", "rejected"];
        await using var cmd = _db.CreateCommand($"SELECT {string.Join(", ", names)} FROM ingest_chains WHERE gw = $1 AND lane = $2 AND epoch = $3");
        cmd.Parameters.AddWithValue(gw);
        cmd.Parameters.AddWithValue(lane);
        cmd.Parameters.AddWithValue(epoch);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"the ingest holds no {lane} chain {epoch}");
        return names.Select((n, i) => (n, reader.GetInt64(i))).ToDictionary(p => p.n, p => p.Item2);
    }

    /// <summary>
    /// One window of the run, the gateway's counts before and after it against what the ingest holds
    /// for its seqs: the accounting line of a fault.
    /// </summary>
    public async Task<Accounting> AccountAsync(string fault, LaneCounts before, LaneCounts after, TimeSpan? recovery)
    {
        const string Lane = "telemetry";
        var (from, through) = (before.ThroughSeq + 1, after.ThroughSeq);
        var (records, samples) = await VerifiedAsync(Lane, after.Epoch, from, through);
        var counters = await CountersAsync(Lane, after.Epoch);
        return new Accounting(fault, from, through, after.ObsRecords - before.ObsRecords, after.Samples - before.Samples, records, samples,
            await GapCoveredAsync(Lane, after.Epoch, from, through), await StoredTwiceAsync(Lane, after.Epoch), counters["duplicates"], recovery);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<List<byte[]>> PayloadsAsync(string where, string lane, string epoch)
    {
        await using var cmd = _db.CreateCommand($"SELECT payload FROM ingest_records WHERE gw = $1 AND lane = $2 AND epoch = $3 AND {where}");
        cmd.Parameters.AddWithValue(gw);
        cmd.Parameters.AddWithValue(lane);
        cmd.Parameters.AddWithValue(epoch);
        var payloads = new List<byte[]>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            payloads.Add((byte[])reader[0]);
        }

        return payloads;
    }

    private async Task<long> ScalarAsync(string sql, string lane, string epoch)
    {
        await using var cmd = _db.CreateCommand(sql);
        cmd.Parameters.AddWithValue(gw);
        cmd.Parameters.AddWithValue(lane);
        cmd.Parameters.AddWithValue(epoch);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// One fault's accounting over the telemetry seqs <see cref="From"/>..<see cref="Through"/>: the
/// samples (and obs records) the gateway chained there, by its own persisted counts, against those
/// the ingest verified and stored, and those gap statements name. Lost is what neither holds.
/// <see cref="Redelivered"/> is the chain's running total of records received again and not stored
/// (the ingest's duplicate counter); <see cref="Recovery"/> runs from the fault until the ingest
/// verified everything the gateway had committed when it answered again (null: no fault).
/// </summary>
internal sealed record Accounting(
    string Fault, long From, long Through, long ProducedRecords, long Produced, long VerifiedRecords, long Verified,
    long GapCoveredRecords, long StoredTwice, long Redelivered, TimeSpan? Recovery)
{
    /// <summary>
    /// Produced minus verified: exact while no gap statement names a record of the window (a gap
    /// statement says which records were dropped, not how many samples they held); the harness
    /// requires there be none, so a record dropped behind a gap shows here as lost.
    /// </summary>
    public long Lost => Produced - Verified;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Fault}: telemetry seq {From}..{Through}: produced {Produced} samples in {ProducedRecords} obs records, verified {Verified} in {VerifiedRecords}, gap-covered {GapCoveredRecords} records, lost {Lost}, stored twice {StoredTwice} (redelivered and dropped as duplicates, chain total: {Redelivered}), recovery {(Recovery is { } r ? r.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " s" : "-")}");
}
