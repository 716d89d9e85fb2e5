namespace EdgeTwin.Ingest.Storage.Postgres;

using Npgsql;

/// <summary>Reads rows in the column order of <see cref="PostgresSchema"/>.</summary>
internal static class PostgresRows
{
    public static ChainRow Chain(NpgsqlDataReader r) => new()
    {
        Id = new ChainId(r.GetString(0), r.GetString(1), r.GetString(2)),
        Site = r.GetString(3),
        VerifierState = r.IsDBNull(4) ? null : r.GetFieldValue<byte[]>(4),
        Received = r.GetInt64(5),
        VerifiedThrough = r.GetInt64(6),
        Verified = r.GetInt64(7),
        Pending = r.GetInt64(8),
        Missing = r.GetInt64(9),
        Duplicates = r.GetInt64(10),
        Forks = r.GetInt64(11),
        BadSignatures = r.GetInt64(12),
        BrokenLinks = r.GetInt64(13),
        GapCovered = r.GetInt64(14),
        Rejected = r.GetInt64(15),
        ReceiptedThrough = r.GetInt64(16),
        LastCheckpointAt = Time(r, 17),
        MissingSince = Time(r, 18),
        GapAlerted = r.GetBoolean(19),
        FirstSeenAt = Time(r, 20) ?? DateTimeOffset.UnixEpoch,
        GenesisReason = r.IsDBNull(21) ? null : r.GetString(21),
        UnsignedBranch = r.GetInt64(22),
        StoredDigest = r.IsDBNull(23) ? null : r.GetFieldValue<byte[]>(23),
        StateLeftOut = r.FieldCount > 24 && r.GetBoolean(24),
    };

    public static RecordRow Record(NpgsqlDataReader r) => new(
        new ChainId(r.GetString(0), r.GetString(1), r.GetString(2)),
        r.GetInt64(3),
        r.GetString(4),
        r.GetString(5),
        r.GetString(6),
        Time(r, 7),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.GetFieldValue<byte[]>(10),
        Time(r, 11) ?? DateTimeOffset.UnixEpoch);

    public static EvidenceRow Evidence(NpgsqlDataReader r) =>
        new(Time(r, 1) ?? DateTimeOffset.UnixEpoch, r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetFieldValue<byte[]>(5))
        {
            Id = r.GetInt64(0),
            Chain = r.IsDBNull(3) || r.IsDBNull(6) || r.IsDBNull(7) ? null : new ChainId(r.GetString(3), r.GetString(6), r.GetString(7)),
            Seq = r.IsDBNull(8) ? null : r.GetInt64(8),
            Hash = r.IsDBNull(9) ? null : r.GetString(9),
            Size = r.IsDBNull(10) ? r.GetFieldValue<byte[]>(5).LongLength : r.GetInt64(10),
            Sha256 = r.IsDBNull(11) ? null : r.GetString(11),
        };

    public static GatewayRow Gateway(NpgsqlDataReader r) => new()
    {
        Gw = r.GetString(0),
        Site = r.GetString(1),
        Reported = r.IsDBNull(2) ? null : r.GetString(2),
        ReportedVersion = r.GetInt64(3),
        Status = r.IsDBNull(4) ? null : r.GetString(4),
        UpdatedAt = Time(r, 5) ?? DateTimeOffset.UnixEpoch,
        SilentAlerted = r.GetBoolean(6),
        KeyRotations = r.IsDBNull(7) ? null : r.GetString(7),
    };

    internal static DateTimeOffset? Time(NpgsqlDataReader r, int i) =>
        r.IsDBNull(i) ? null : new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));
}
