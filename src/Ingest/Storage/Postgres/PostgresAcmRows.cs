namespace EdgeTwin.Ingest.Storage.Postgres;

using Npgsql;

/// <summary>Reading and binding the alarm reporter's rows (columns in <see cref="PostgresSchema"/> order).</summary>
internal static class PostgresAcmRows
{
    public const string UpsertAlert = $"""
        INSERT INTO ingest_acm_alerts ({PostgresSchema.AcmAlertColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        ON CONFLICT (alert_id) DO UPDATE SET priority = EXCLUDED.priority, phase = EXCLUDED.phase, state = EXCLUDED.state,
            open = EXCLUDED.open, updated_at = EXCLUDED.updated_at, updates = EXCLUDED.updates, bed = EXCLUDED.bed
        """;

    public const string InsertMessage = """
        INSERT INTO ingest_acm_messages (manager, control_id, alert_id, gw, message, queued_at, status, attempts, error_answers, last_attempt_at, done_at, detail)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (manager, control_id) DO NOTHING
        """;

    public const string UpdateMessage = """
        UPDATE ingest_acm_messages SET status = $7, attempts = $8, error_answers = $9, last_attempt_at = $10, done_at = $11, detail = $12
        WHERE manager = $1 AND control_id = $2
        """;

    public static AcmAlertRow Alert(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.GetString(6), r.GetString(7), r.GetString(8), r.GetBoolean(9), Utc(r, 10), Utc(r, 11), r.GetInt32(12),
        r.IsDBNull(13) ? null : r.GetString(13));

    public static AcmMessageRow Message(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), Utc(r, 6),
        r.GetString(7), r.GetInt32(8), r.GetInt32(9), r.IsDBNull(10) ? null : Utc(r, 10), r.IsDBNull(11) ? null : Utc(r, 11),
        r.IsDBNull(12) ? null : r.GetString(12));

    public static AcmStatusRow Status(NpgsqlDataReader r) => new(
        r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), Utc(r, 4), Utc(r, 5), r.GetString(6), r.GetString(7))
    {
        Id = r.GetInt64(0),
    };

    public static void BindAlert(NpgsqlCommand cmd, AcmAlertRow a)
    {
        var p = cmd.Parameters;
        p.AddWithValue(a.AlertId);
        p.AddWithValue(a.Gw);
        p.AddWithValue(a.Key);
        p.AddWithValue(a.Patient);
        p.AddWithValue(a.Device);
        p.AddWithValue(a.Condition);
        p.AddWithValue(a.Priority);
        p.AddWithValue(a.Phase);
        p.AddWithValue(a.State);
        p.AddWithValue(a.Open);
        p.AddWithValue(a.RaisedAt.ToUniversalTime());
        p.AddWithValue(a.UpdatedAt.ToUniversalTime());
        p.AddWithValue(a.Updates);
        p.AddWithValue((object?)a.Bed ?? DBNull.Value);
    }

    /// <summary>Binds $1..$12 of <see cref="InsertMessage"/> and <see cref="UpdateMessage"/>.</summary>
    public static void BindMessage(NpgsqlCommand cmd, AcmMessageRow m)
    {
        var p = cmd.Parameters;
        p.AddWithValue(m.Manager);
        p.AddWithValue(m.ControlId);
        p.AddWithValue(m.AlertId);
        p.AddWithValue(m.Gw);
        p.AddWithValue(m.Message);
        p.AddWithValue(m.QueuedAt.ToUniversalTime());
        p.AddWithValue(m.Status);
        p.AddWithValue(m.Attempts);
        p.AddWithValue(m.ErrorAnswers);
        p.AddWithValue((object?)m.LastAttemptAt?.ToUniversalTime() ?? DBNull.Value);
        p.AddWithValue((object?)m.DoneAt?.ToUniversalTime() ?? DBNull.Value);
        p.AddWithValue((object?)m.Detail ?? DBNull.Value);
    }

    private static DateTimeOffset Utc(NpgsqlDataReader r, int i) => new(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));
}
