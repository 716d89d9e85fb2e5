namespace EdgeTwin.Ingest.Storage.Postgres;

using Npgsql;

/// <summary>
/// A session-level advisory lock on <c>hashtextextended('edgetwin-acm:' || manager, 0)</c>, held by
/// one open connection: PostgreSQL releases it when the session ends, so a worker that is killed
/// hands the manager to another within its next look.
/// </summary>
internal sealed class PostgresAcmLease : IAcmLease
{
    private readonly NpgsqlConnection _conn;
    private readonly string _manager;

    private PostgresAcmLease(NpgsqlConnection conn, string manager)
    {
        _conn = conn;
        _manager = manager;
    }

    public static async Task<IAcmLease?> TryTakeAsync(NpgsqlDataSource source, string manager, CancellationToken ct)
    {
        var conn = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", conn);
            cmd.Parameters.AddWithValue(Key(manager));
            if ((bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
            {
                return new PostgresAcmLease(conn, manager);
            }
        }
        catch
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await conn.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    public async Task<bool> StillHeldAsync(CancellationToken ct)
    {
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT 1", _conn);
            await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended($1, 0))", _conn);
            cmd.Parameters.AddWithValue(Key(_manager));
            await cmd.ExecuteScalarAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            // The session is gone, and the lock with it.
        }

        await _conn.DisposeAsync().ConfigureAwait(false);
    }

    private static string Key(string manager) => "edgetwin-acm:" + manager;
}
