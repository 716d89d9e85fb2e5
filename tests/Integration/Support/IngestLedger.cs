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
    public async Task<long> GapCoveredAsync(string lane, string epoch, long from, long through) =>
        (await GapsAsync(lane, epoch)).Sum(g => Math.Max(0, Math.Min(g.To, through) - Math.Max(g.From, from) + 1));

    /// <summary>The chain's stored gap statements: the seqs each names and its reason.</summary>
    public async Task<List<(long From, long To, string Reason)>> GapsAsync(string lane, string epoch)
    {
        var gaps = new List<(long, long, string)>();
        foreach (var payload in await PayloadsAsync("kind = 'gap'", lane, epoch))
        {
            using var doc = JsonDocument.Parse(payload);
            var body = doc.RootElement.GetProperty("body");
            gaps.Add((body.GetProperty("from").GetInt64(), body.GetProperty("to").GetInt64(), body.GetProperty("reason").GetString()!));
        }

        return gaps;
    }

    /// <summary>
    /// The seqs in [<paramref name="from"/>, <paramref name="through"/>] that are neither stored and
    /// verified, nor named by a gap statement, nor a stored record without samples still waiting for a
    /// successor (a stopped chain's closing checkpoint): lost; and the verified seqs a gap names as
    /// dropped unsent (a reason without <c>-unreceipted</c>: such a gap would be a lie).
    /// </summary>
    public async Task<(long Unaccounted, long StoredYetNamedUnsent)> UnaccountedAsync(string lane, string epoch, long from, long through)
    {
        await using var cmd = _db.CreateCommand("""
            SELECT r.seq, r.seq <= c.verified_through, r.kind <> 'obs' FROM ingest_records r JOIN ingest_chains c USING (gw, lane, epoch)
            WHERE r.gw = $1 AND r.lane = $2 AND r.epoch = $3 AND r.seq BETWEEN $4 AND $5
            """);
        cmd.Parameters.AddWithValue(gw);
        cmd.Parameters.AddWithValue(lane);
        cmd.Parameters.AddWithValue(epoch);
        cmd.Parameters.AddWithValue(from);
        cmd.Parameters.AddWithValue(through);
        var verified = new HashSet<long>();
        var pendingWithoutSamples = new HashSet<long>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (reader.GetBoolean(1))
                {
                    verified.Add(reader.GetInt64(0));
                }
                else if (reader.GetBoolean(2))
                {
                    pendingWithoutSamples.Add(reader.GetInt64(0));
                }
            }
        }

        var gaps = await GapsAsync(lane, epoch);
        bool Named(long seq, bool unsentOnly) => gaps.Any(g => g.From <= seq && seq <= g.To && !(unsentOnly && g.Reason.EndsWith("-unreceipted", StringComparison.Ordinal)));
        long unaccounted = 0, lies = 0;
        for (var seq = from; seq <= through; seq++)
        {
            unaccounted += !verified.Contains(seq) && !pendingWithoutSamples.Contains(seq) && !Named(seq, unsentOnly: false) ? 1 : 0;
            lies += verified.Contains(seq) && Named(seq, unsentOnly: true) ? 1 : 0;
        }

        return (unaccounted, lies);
    }

    /// <summary>The bodies of the chain's stored <c>obs</c> records with seq in [<paramref name="from"/>, <paramref name="through"/>].</summary>
    public async Task<List<JsonElement>> ObsBodiesAsync(string lane, string epoch, long from, long through) =>
        [.. (await PayloadsAsync(FormattableString.Invariant($"kind = 'obs' AND seq BETWEEN {from} AND {through}"), lane, epoch))
            .Select(p => JsonDocument.Parse(p).RootElement.GetProperty("body").Clone())];

    /// <summary>The bodies of the chain's stored <c>event</c> records of <paramref name="type"/>, in seq order.</summary>
    public async Task<List<JsonElement>> EventsAsync(string lane, string epoch, string type) =>
        [.. (await PayloadsAsync("kind = 'event' ORDER BY seq", lane, epoch))
            .Select(p => JsonDocument.Parse(p).RootElement.GetProperty("body").Clone())
            .Where(b => b.GetProperty("type").GetString() == type)];

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
        var (unaccounted, lies) = await UnaccountedAsync(Lane, after.Epoch, from, through);
        return new Accounting(fault, from, through, after.ObsRecords - before.ObsRecords, after.Samples - before.Samples, records, samples,
            await GapCoveredAsync(Lane, after.Epoch, from, through), unaccounted, lies, await StoredTwiceAsync(Lane, after.Epoch), counters["duplicates"], recovery);
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
/// the ingest verified and stored, and the records gap statements name. <see cref="Unaccounted"/> is
/// the seqs neither verified nor named by a gap (see <see cref="IngestLedger.UnaccountedAsync"/>); <see cref="StoredYetNamedUnsent"/> the verified seqs
/// a gap names as dropped unsent (a false statement). <see cref="Redelivered"/> is the chain's
/// running total of records received again and not stored (the ingest's duplicate counter);
/// <see cref="Recovery"/> runs from the fault until the ingest verified everything the gateway had
/// committed when it answered again (null: no fault).
/// </summary>
internal sealed record Accounting(
    string Fault, long From, long Through, long ProducedRecords, long Produced, long VerifiedRecords, long Verified,
    long GapCoveredRecords, long Unaccounted, long StoredYetNamedUnsent, long StoredTwice, long Redelivered, TimeSpan? Recovery)
{
    /// <summary>
    /// The samples of the gap-named records: a gap statement says which records were dropped, not how
    /// many samples they held, so these are produced minus verified, and only once every seq of the
    /// window is verified or named (otherwise 0, and the difference shows as <see cref="Lost"/>).
    /// </summary>
    public long GapCovered => GapCoveredRecords > 0 && Unaccounted == 0 ? Produced - Verified : 0;

    /// <summary>Samples chained but neither verified nor in a record a gap statement names.</summary>
    public long Lost => Produced - Verified - GapCovered;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Fault}: telemetry seq {From}..{Through}: produced {Produced} samples in {ProducedRecords} obs records, verified {Verified} in {VerifiedRecords}, gap-covered {GapCoveredRecords} records ({GapCovered} samples), lost {Lost} (seqs neither verified nor named by a gap: {Unaccounted}), stored twice {StoredTwice} (redelivered and dropped as duplicates, chain total: {Redelivered}), recovery {(Recovery is { } r ? r.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " s" : "-")}");
}
