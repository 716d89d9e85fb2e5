namespace EdgeTwin.Ingest.Storage.Postgres;

/// <summary>The access log on PostgreSQL (<c>ingest_access_log</c>); one autocommitted insert per entry.</summary>
internal sealed partial class PostgresIngestStore : IAccessLogStore
{
    public async Task AppendAccessAsync(AccessRow row, CancellationToken ct)
    {
        await using var cmd = _source.CreateCommand("INSERT INTO ingest_access_log (at, subject, roles, route, path, patient, gw, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
        cmd.Parameters.AddWithValue(row.At.ToUniversalTime());
        cmd.Parameters.AddWithValue(row.Subject);
        cmd.Parameters.AddWithValue(row.Roles);
        cmd.Parameters.AddWithValue(row.Route);
        cmd.Parameters.AddWithValue(row.Path);
        cmd.Parameters.AddWithValue((object?)row.Patient ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)row.Gw ?? DBNull.Value);
        cmd.Parameters.AddWithValue(row.Status);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<AccessRow>> AccessAsync(string? patient, DateTimeOffset? since, int limit, CancellationToken ct) =>
        QueryAsync(
            """
            SELECT * FROM (
              SELECT id, at, subject, roles, route, path, patient, gw, status FROM ingest_access_log
              WHERE ($1::text IS NULL OR patient = $1) AND ($2::timestamptz IS NULL OR at >= $2)
              ORDER BY id DESC LIMIT $3) x
            ORDER BY id
            """,
            r => new AccessRow(new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc)), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt32(8))
            { Id = r.GetInt64(0) },
            ct,
            (object?)patient ?? DBNull.Value,
            (object?)since?.ToUniversalTime() ?? DBNull.Value,
            limit);
}
